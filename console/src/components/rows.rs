//! Rows being edited in a form (labels, environment variables, volume mounts), each with an id
//! of its own so that keyed lists keep their inputs while rows come and go.

use leptos::prelude::*;

/// A row of a form: its id among its siblings.
pub trait Row: Clone + Send + Sync + 'static {
    /// The id [`Rows::push`] gave it.
    fn id(&self) -> usize;
}

/// The rows, reactive.
pub struct Rows<R: Row> {
    /// The rows in order.
    pub rows: RwSignal<Vec<R>>,
    next_id: StoredValue<usize>,
}

impl<R: Row> Clone for Rows<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R: Row> Copy for Rows<R> {}

impl<R: Row> Rows<R> {
    /// No rows.
    pub fn new() -> Self {
        Self { rows: RwSignal::new(Vec::new()), next_id: StoredValue::new(0) }
    }

    /// Adds the row `make` builds with a new id.
    pub fn push(&self, make: impl FnOnce(usize) -> R) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        self.rows.update(|r| r.push(make(id)));
    }

    /// Removes row `id`.
    pub fn remove(&self, id: usize) {
        self.rows.update(|r| r.retain(|row| row.id() != id));
    }

    /// The ids in order (reactive).
    pub fn ids(&self) -> Vec<usize> {
        self.rows.with(|r| r.iter().map(Row::id).collect())
    }

    /// A text field of row `id` (reactive; empty if it is gone).
    pub fn get(&self, id: usize, part: fn(&R) -> &String) -> String {
        self.rows.with(|rows| rows.iter().find(|r| r.id() == id).map(|r| part(r).clone()).unwrap_or_default())
    }

    /// Changes a text field of row `id`.
    pub fn set(&self, id: usize, part: fn(&mut R) -> &mut String, text: String) {
        self.rows.update(|rows| {
            if let Some(row) = rows.iter_mut().find(|r| r.id() == id) {
                *part(row) = text;
            }
        });
    }
}

impl<R: Row> Default for Rows<R> {
    fn default() -> Self {
        Self::new()
    }
}
