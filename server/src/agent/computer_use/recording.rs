//! Screen recordings: ffmpeg grabbing the desktop's display into an H.264 MP4 in
//! `~/.daytona/recordings`, stopped gracefully (`q` on its input, so the file is finalized
//! and plays; a SIGKILL would leave it without its index). A recording has the display's size
//! when it starts; ffmpeg ends it by itself if the display is resized or goes away meanwhile
//! (its file is finalized up to then, and it is listed as completed). Recordings made before
//! an agent restart are found again from their files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use daytona_models::Recording;
use parking_lot::Mutex;
use tokio::io::AsyncWriteExt;

use super::desktop::DISPLAY;
use crate::agent::error::ToolboxError;

const RECORDING: &str = "recording";
const COMPLETED: &str = "completed";
const FAILED: &str = "failed";

struct Entry {
    meta: Recording,
    started: std::time::Instant,
    ffmpeg: Option<tokio::process::Child>,
    /// ffmpeg ended by itself and no stop has answered for it yet.
    ended_itself: bool,
}

impl Entry {
    /// Notes that ffmpeg ended by itself (the display was resized or went away): the file is
    /// finalized up to then.
    fn reap(&mut self) {
        let exited = self.ffmpeg.as_mut().and_then(|f| f.try_wait().ok().flatten());
        if let Some(status) = exited {
            self.ffmpeg = None;
            self.ended_itself = true;
            // It ended when it last wrote its file, maybe well before this look.
            let written = std::fs::metadata(&self.meta.file_path).and_then(|m| m.modified()).ok();
            let since = written.and_then(|t| t.elapsed().ok()).unwrap_or_default();
            self.ended(status.success(), since);
        }
    }

    /// Records the end of the recording, `ago`: completed if ffmpeg ended well with a file.
    fn ended(&mut self, well: bool, ago: Duration) {
        let size = std::fs::metadata(&self.meta.file_path).map(|m| m.len()).ok();
        self.meta.status = if well && size.is_some_and(|s| s > 0) { COMPLETED } else { FAILED }.into();
        self.meta.end_time = Some(crate::time::iso(crate::time::now_ms() - ago.as_millis() as i64));
        let elapsed = self.started.elapsed().saturating_sub(ago);
        self.meta.duration_seconds = Some((elapsed.as_millis() as f64 / 1000.0 * 10.0).round() / 10.0);
        self.meta.size_bytes = size;
    }
}

/// The recordings of one sandbox.
pub struct Recordings {
    dir: PathBuf,
    entries: tokio::sync::Mutex<BTreeMap<String, Entry>>,
    /// Files seen on disk, by id, made before this agent started.
    found: Mutex<Option<BTreeMap<String, Recording>>>,
}

fn not_found(id: &str) -> ToolboxError {
    ToolboxError::NotFound("NOT_FOUND", format!("no recording {id}"))
}

/// A recording's metadata from its file (for recordings of an earlier agent).
fn from_file(path: &Path) -> Option<Recording> {
    let name = path.file_name()?.to_str()?.to_owned();
    let id = name.strip_suffix(".mp4")?.rsplit('_').next()?.to_owned();
    let meta = path.metadata().ok()?;
    let time = |t: std::io::Result<std::time::SystemTime>| {
        let ms = t.ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis();
        Some(crate::time::iso(ms as i64))
    };
    Some(Recording {
        id,
        file_path: path.to_string_lossy().into_owned(),
        file_name: name,
        start_time: time(meta.created()).or_else(|| time(meta.modified())).unwrap_or_default(),
        status: COMPLETED.into(),
        end_time: time(meta.modified()),
        duration_seconds: None,
        size_bytes: Some(meta.len()),
    })
}

impl Recordings {
    /// Recordings kept in `dir`.
    pub fn new(dir: PathBuf) -> Self {
        Self { dir, entries: Default::default(), found: Mutex::new(None) }
    }

    /// Recordings of earlier agents, read from the directory once.
    fn earlier(&self) -> BTreeMap<String, Recording> {
        self.found
            .lock()
            .get_or_insert_with(|| {
                let files = std::fs::read_dir(&self.dir).into_iter().flatten().flatten();
                files.filter_map(|f| from_file(&f.path())).map(|r| (r.id.clone(), r)).collect()
            })
            .clone()
    }

    /// Starts recording the display into a new file named after `label`.
    pub async fn start(&self, label: Option<&str>) -> Result<Recording, ToolboxError> {
        let label: String =
            label.unwrap_or("recording").chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(40).collect();
        let label = if label.is_empty() { "recording".to_owned() } else { label };
        std::fs::create_dir_all(&self.dir).map_err(|e| ToolboxError::Io(format!("recordings dir: {e}")))?;
        let id = uuid::Uuid::new_v4().to_string();
        let file_name = format!("{label}_{id}.mp4");
        let path = self.dir.join(&file_name);
        let (width, height) = super::x11::with_x(super::x11::screen_size).await?;
        let mut cmd = tokio::process::Command::new("ffmpeg");
        let size = format!("{width}x{height}");
        // H.264 in 4:2:0 needs even sides: a viewer may have resized the display to odd ones.
        cmd.args(["-hide_banner", "-loglevel", "error", "-f", "x11grab", "-draw_mouse", "1", "-framerate", "15"])
            .args(["-video_size", &size, "-i", DISPLAY, "-vf", "crop=trunc(iw/2)*2:trunc(ih/2)*2"])
            .args(["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-y"])
            .arg(&path)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .kill_on_drop(true);
        let ffmpeg = crate::agent::workload::spawn(cmd).await.map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ToolboxError::Unavailable(
                "RECORDING_FFMPEG_NOT_FOUND",
                "recordings need ffmpeg (Debian package ffmpeg)".into(),
            ),
            _ => ToolboxError::Io(format!("starting ffmpeg: {e}")),
        })?;
        let meta = Recording {
            id: id.clone(),
            file_name,
            file_path: path.to_string_lossy().into_owned(),
            start_time: crate::time::now_iso(),
            status: RECORDING.into(),
            end_time: None,
            duration_seconds: None,
            size_bytes: None,
        };
        let entry =
            Entry { meta: meta.clone(), started: std::time::Instant::now(), ffmpeg: Some(ffmpeg), ended_itself: false };
        self.entries.lock().await.insert(id, entry);
        Ok(meta)
    }

    /// Stops recording `id` and finalizes its file.
    pub async fn stop(&self, id: &str) -> Result<Recording, ToolboxError> {
        let mut entries = self.entries.lock().await;
        let entry = entries.get_mut(id).ok_or_else(|| not_found(id))?;
        entry.reap();
        let Some(mut ffmpeg) = entry.ffmpeg.take() else {
            return match std::mem::take(&mut entry.ended_itself) {
                true => Ok(entry.meta.clone()),
                false => Err(ToolboxError::BadRequest(format!("recording {id} is not active"))),
            };
        };
        if let Some(mut input) = ffmpeg.stdin.take() {
            let _ = input.write_all(b"q").await;
        }
        let ended = match tokio::time::timeout(Duration::from_secs(10), ffmpeg.wait()).await {
            Ok(status) => status.is_ok_and(|s| s.success()),
            Err(_) => {
                let _ = ffmpeg.kill().await;
                false
            }
        };
        entry.ended(ended, Duration::ZERO);
        Ok(entry.meta.clone())
    }

    /// Every recording, oldest first.
    pub async fn list(&self) -> Vec<Recording> {
        let mut all = self.earlier();
        for (id, e) in self.entries.lock().await.iter_mut() {
            e.reap();
            all.insert(id.clone(), e.meta.clone());
        }
        let mut all: Vec<Recording> = all.into_values().collect();
        all.sort_by(|a, b| a.start_time.cmp(&b.start_time));
        all
    }

    /// Recording `id`.
    pub async fn get(&self, id: &str) -> Result<Recording, ToolboxError> {
        if let Some(e) = self.entries.lock().await.get_mut(id) {
            e.reap();
            return Ok(e.meta.clone());
        }
        self.earlier().remove(id).ok_or_else(|| not_found(id))
    }

    /// Deletes recording `id` and its file (409 while it records).
    pub async fn delete(&self, id: &str) -> Result<(), ToolboxError> {
        let mut entries = self.entries.lock().await;
        if let Some(e) = entries.get_mut(id) {
            e.reap();
        }
        let path = match entries.get(id) {
            Some(e) if e.ffmpeg.is_some() => {
                return Err(ToolboxError::StillActive(format!("recording {id} is still active: stop it first")));
            }
            Some(e) => e.meta.file_path.clone(),
            None => self.earlier().remove(id).ok_or_else(|| not_found(id))?.file_path,
        };
        entries.remove(id);
        if let Some(found) = self.found.lock().as_mut() {
            found.remove(id);
        }
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(ToolboxError::Io(format!("deleting {path}: {e}")))
            }
            _ => Ok(()),
        }
    }

    /// Where recording `id`'s file is (400 while it records: the file is not finalized).
    pub async fn file(&self, id: &str) -> Result<PathBuf, ToolboxError> {
        let meta = self.get(id).await?;
        if meta.status == RECORDING {
            return Err(ToolboxError::BadRequest(format!("recording {id} is still active: stop it first")));
        }
        Ok(PathBuf::from(meta.file_path))
    }
}
