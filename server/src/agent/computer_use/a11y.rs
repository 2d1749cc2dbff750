//! The accessibility tree (`/computeruse/a11y/*`), as Daytona's daemon serves it: AT-SPI, the
//! Linux desktop's accessibility protocol, spoken over D-Bus (zbus) on the accessibility bus
//! the desktop session runs (at-spi-bus-launcher, which names its address in the X root
//! window's `AT_SPI_BUS` property, where every GTK, Qt or browser window started on the
//! display finds it too). Node ids are `<bus name>:<object path>`; a tree or a search visits
//! at most [`WALK_BUDGET`] nodes, [`MAX_DEPTH`] levels deep, for [`WALK_TIME`]. Everything
//! here runs as the sandbox user, on the sandbox's own buses: a node id names an object of an
//! application in the sandbox, never more.

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use daytona_models::{
    AccessibilityBounds, AccessibilityNode, AccessibilityNodesResponse, AccessibilityTreeResponse,
    FindAccessibilityNodesRequest,
};
use zbus::zvariant::{ObjectPath, OwnedObjectPath, OwnedValue, Value};

use crate::agent::error::ToolboxError;
use crate::wait::Look;

/// Most nodes one tree walk or search visits (a whole desktop's worth).
pub const WALK_BUDGET: usize = 20_000;
/// Deepest level a walk reaches (real trees are a few dozen deep; a deeper one is cut there,
/// which also bounds the nesting of the answer for its clients' JSON parsers).
const MAX_DEPTH: i64 = 64;
/// How long a walk goes on before it answers what it has (`truncated`).
const WALK_TIME: Duration = Duration::from_secs(20);
/// Matches a search returns unless asked otherwise, and at most.
const FIND_LIMIT: (usize, usize) = (500, 5_000);
/// Longest one accessibility request may take (an application that stopped answering).
const WITHIN: Duration = Duration::from_secs(30);
/// How long a request waits for the bus of a desktop that is starting.
const BUS_WAIT: Duration = Duration::from_secs(3);
/// The accessibility bus's launcher, which the desktop session starts if it is installed.
const LAUNCHER: &str = "/usr/libexec/at-spi-bus-launcher";

const REGISTRY: &str = "org.a11y.atspi.Registry";
const ROOT_PATH: &str = "/org/a11y/atspi/accessible/root";
const ACCESSIBLE: &str = "org.a11y.atspi.Accessible";
const COMPONENT: &str = "org.a11y.atspi.Component";
const ACTION: &str = "org.a11y.atspi.Action";
const EDITABLE_TEXT: &str = "org.a11y.atspi.EditableText";
const VALUE: &str = "org.a11y.atspi.Value";

/// AT-SPI's state names (its `StateType`), by bit of the state set.
const STATES: [&str; 44] = [
    "invalid",
    "active",
    "armed",
    "busy",
    "checked",
    "collapsed",
    "defunct",
    "editable",
    "enabled",
    "expandable",
    "expanded",
    "focusable",
    "focused",
    "has_tooltip",
    "horizontal",
    "iconified",
    "modal",
    "multi_line",
    "multiselectable",
    "opaque",
    "pressed",
    "resizable",
    "selectable",
    "selected",
    "sensitive",
    "showing",
    "single_line",
    "stale",
    "transient",
    "vertical",
    "visible",
    "manages_descendants",
    "indeterminate",
    "required",
    "truncated",
    "animated",
    "invalid_entry",
    "supports_autocompletion",
    "selectable_text",
    "is_default",
    "visited",
    "checkable",
    "has_popup",
    "read_only",
];

/// An accessible object: the application's bus name and the object's path.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeRef {
    bus: String,
    path: OwnedObjectPath,
}

impl NodeRef {
    /// The node of id `<bus name>:<object path>` (the `:` right before the path's first `/`).
    pub fn parse(id: &str) -> Result<Self, ToolboxError> {
        let bad = |why: &str| ToolboxError::BadRequest(format!("invalid accessibility node id {id:?}: {why}"));
        let slash = id.find('/').ok_or_else(|| bad("no object path"))?;
        let bus = id[..slash].strip_suffix(':').ok_or_else(|| bad("no ':' before the object path"))?;
        zbus::names::BusName::try_from(bus).map_err(|_| bad("not a bus name"))?;
        let path = ObjectPath::try_from(&id[slash..]).map_err(|_| bad("not an object path"))?;
        Ok(Self { bus: bus.to_owned(), path: path.into() })
    }

    fn id(&self) -> String {
        format!("{}:{}", self.bus, self.path.as_str())
    }

    fn registry_root() -> Self {
        Self { bus: REGISTRY.into(), path: ObjectPath::from_static_str_unchecked(ROOT_PATH).into() }
    }
}

/// What a tree or a search starts from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scope {
    /// The application whose window is active (else the first one).
    Focused,
    /// The application of this process.
    Pid(i64),
    /// Every application (the registry's root).
    All,
}

impl Scope {
    /// `scope` (default `focused`) and `pid` as a request gives them.
    pub fn parse(scope: Option<&str>, pid: Option<i64>) -> Result<Self, ToolboxError> {
        match scope.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            None | Some("") | Some("focused") => Ok(Self::Focused),
            Some("all") => Ok(Self::All),
            Some("pid") => match pid {
                Some(pid) if pid > 0 => Ok(Self::Pid(pid)),
                _ => Err(ToolboxError::BadRequest("scope pid needs a positive pid".into())),
            },
            Some(other) => {
                Err(ToolboxError::BadRequest(format!("invalid accessibility scope {other:?}: focused, pid or all")))
            }
        }
    }
}

/// The filter of a search: role (any case), name (`exact`, `substring` or `regex`), states.
pub struct Filter {
    role: Option<String>,
    name: Option<NameMatch>,
    states: Vec<String>,
    limit: usize,
}

enum NameMatch {
    Exact(String),
    Substring(String),
    Regex(regex::Regex),
}

impl Filter {
    /// The filter of `req`, checked (an unknown mode or a bad regex is the client's error).
    pub fn new(req: &FindAccessibilityNodesRequest) -> Result<Self, ToolboxError> {
        let name = match (req.name.clone().filter(|n| !n.is_empty()), req.name_match.as_deref().unwrap_or("")) {
            (None, "" | "exact" | "substring" | "regex") => None,
            (Some(n), "exact") => Some(NameMatch::Exact(n)),
            (Some(n), "" | "substring") => Some(NameMatch::Substring(n)),
            (Some(n), "regex") => Some(NameMatch::Regex(
                regex::RegexBuilder::new(&n)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| ToolboxError::BadRequest(format!("invalid name regex: {e}")))?,
            )),
            (_, mode) => {
                return Err(ToolboxError::BadRequest(format!("unknown nameMatch {mode:?}: exact, substring or regex")))
            }
        };
        let limit = match req.limit.unwrap_or(0) {
            n if n <= 0 => FIND_LIMIT.0,
            n => (n as usize).min(FIND_LIMIT.1),
        };
        Ok(Self {
            role: req.role.clone().filter(|r| !r.is_empty()).map(|r| r.to_lowercase()),
            name,
            states: req.states.clone().unwrap_or_default(),
            limit,
        })
    }

    fn matches(&self, node: &AccessibilityNode) -> bool {
        let role = self.role.as_ref().is_none_or(|r| node.role.to_lowercase() == *r);
        let name = match &self.name {
            None => true,
            Some(NameMatch::Exact(n)) => node.name == *n,
            Some(NameMatch::Substring(n)) => node.name.contains(n.as_str()),
            Some(NameMatch::Regex(re)) => re.is_match(&node.name),
        };
        role && name && self.states.iter().all(|s| node.states.contains(s))
    }
}

/// A failed D-Bus call, as Daytona's daemon answers it: the object or its application gone
/// is 404, what the node does not do is 400.
fn dbus_error(e: zbus::Error) -> ToolboxError {
    if let zbus::Error::MethodError(name, message, _) = &e {
        let detail = message.as_deref().unwrap_or_default();
        match name.as_str() {
            "org.freedesktop.DBus.Error.UnknownMethod"
            | "org.freedesktop.DBus.Error.UnknownInterface"
            | "org.freedesktop.DBus.Error.UnknownProperty"
            | "org.freedesktop.DBus.Error.NotSupported"
            | "org.freedesktop.DBus.Error.InvalidArgs"
            | "org.freedesktop.DBus.Error.AccessDenied" => {
                return ToolboxError::BadRequest(format!("action not supported by node: {detail}"))
            }
            // (NoReply: its application left the bus, or died, while the call was on its way.)
            "org.freedesktop.DBus.Error.ServiceUnknown"
            | "org.freedesktop.DBus.Error.NameHasNoOwner"
            | "org.freedesktop.DBus.Error.UnknownObject"
            | "org.freedesktop.DBus.Error.NoReply" => {
                return ToolboxError::NotFound("NOT_FOUND", format!("accessibility node not found: {detail}"))
            }
            _ => {}
        }
    }
    ToolboxError::Io(format!("accessibility bus: {e}"))
}

fn unavailable(why: impl std::fmt::Display) -> ToolboxError {
    ToolboxError::Unavailable("A11Y_UNAVAILABLE", format!("accessibility bus not reachable: {why}"))
}

/// A connection to the desktop's accessibility bus.
pub struct Bus(zbus::Connection);

impl Bus {
    /// Connects to the bus the desktop's X root window names (a desktop just started names it
    /// within moments: waited for up to [`BUS_WAIT`]).
    pub async fn connect() -> Result<Self, ToolboxError> {
        let address = crate::wait::until(BUS_WAIT, Duration::from_millis(50), || async {
            let named = super::x11::with_x(|conn, root| Ok(super::x11::root_string(conn, root, "AT_SPI_BUS"))).await;
            let none = || {
                unavailable(format!(
                    "the desktop runs no AT-SPI bus (its launcher, {LAUNCHER}, is in the Debian package at-spi2-core)"
                ))
            };
            match named.map(|a| a.filter(|a| !a.is_empty())) {
                Ok(Some(address)) => Look::Ready(address),
                Ok(None) if Path::new(LAUNCHER).exists() => Look::NotYet(none()),
                Ok(None) => Look::Failed(none()),
                Err(ToolboxError::Conflict(why)) => Look::Failed(unavailable(why)),
                Err(other) => Look::Failed(other),
            }
        })
        .await?;
        // Anything on the display may set the property: only a Unix socket is dialled (D-Bus
        // addresses can also name programs to run, `unixexec:`, or hosts, `tcp:`).
        if !address.starts_with("unix:") || address.contains(';') {
            return Err(unavailable(format!("the desktop names a bus that is not a Unix socket: {address:?}")));
        }
        let builder = zbus::connection::Builder::address(address.as_str()).map_err(unavailable)?;
        let conn = tokio::time::timeout(Duration::from_secs(5), builder.build())
            .await
            .map_err(|_| unavailable("no answer within 5 s"))?
            .map_err(unavailable)?;
        Ok(Self(conn))
    }

    /// Calls `iface.method(body)` on `node` and reads the reply as `T`.
    async fn call<B, T>(&self, node: &NodeRef, iface: &str, method: &str, body: &B) -> Result<T, ToolboxError>
    where
        B: serde::Serialize + zbus::zvariant::DynamicType,
        T: for<'d> serde::Deserialize<'d> + zbus::zvariant::Type,
    {
        let reply = self
            .0
            .call_method(Some(node.bus.as_str()), node.path.as_str(), Some(iface), method, body)
            .await
            .map_err(dbus_error)?;
        reply.body().deserialize::<T>().map_err(dbus_error)
    }

    /// Property `name` of `iface` of `node`.
    async fn property(&self, node: &NodeRef, iface: &str, name: &str) -> Result<OwnedValue, ToolboxError> {
        self.call(node, "org.freedesktop.DBus.Properties", "Get", &(iface, name)).await
    }

    async fn string_property(&self, node: &NodeRef, name: &str) -> String {
        match self.property(node, ACCESSIBLE, name).await {
            Ok(v) => String::try_from(v).unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    async fn children(&self, node: &NodeRef) -> Result<Vec<NodeRef>, ToolboxError> {
        let refs: Vec<(String, OwnedObjectPath)> = self.call(node, ACCESSIBLE, "GetChildren", &()).await?;
        Ok(refs.into_iter().map(|(bus, path)| NodeRef { bus, path }).collect())
    }

    async fn state_bits(&self, node: &NodeRef) -> Result<Vec<u32>, ToolboxError> {
        self.call(node, ACCESSIBLE, "GetState", &()).await
    }

    /// The names of `node`'s actions, by index.
    async fn actions(&self, node: &NodeRef) -> Result<Vec<String>, ToolboxError> {
        let count = i32::try_from(self.property(node, ACTION, "NActions").await?).unwrap_or(0);
        let mut names = Vec::with_capacity(count.max(0) as usize);
        for i in 0..count.min(64) {
            names.push(self.call(node, ACTION, "GetName", &(i,)).await?);
        }
        Ok(names)
    }

    /// Everything about `node` but its children.
    async fn describe(&self, node: &NodeRef) -> Result<AccessibilityNode, ToolboxError> {
        let role: String = self.call(node, ACCESSIBLE, "GetRoleName", &()).await?;
        let interfaces: Vec<String> = self.call(node, ACCESSIBLE, "GetInterfaces", &()).await.unwrap_or_default();
        let has = |iface: &str| interfaces.iter().any(|i| i == iface);
        let mut out = AccessibilityNode {
            id: node.id(),
            role,
            name: self.string_property(node, "Name").await,
            description: self.string_property(node, "Description").await,
            states: self.state_bits(node).await.map(|bits| state_names(&bits)).unwrap_or_default(),
            ..AccessibilityNode::default()
        };
        if has(COMPONENT) {
            // Screen coordinates (CoordType 0).
            if let Ok((x, y, width, height)) =
                self.call::<_, (i32, i32, i32, i32)>(node, COMPONENT, "GetExtents", &(0u32,)).await
            {
                out.bounds = AccessibilityBounds { x, y, width, height };
            }
        }
        if has(ACTION) {
            out.actions = self.actions(node).await.unwrap_or_default();
        }
        Ok(out)
    }

    /// The node a scope starts from.
    async fn scope_root(&self, scope: Scope) -> Result<NodeRef, ToolboxError> {
        if scope == Scope::All {
            return Ok(NodeRef::registry_root());
        }
        let apps = self.children(&NodeRef::registry_root()).await?;
        let none = || {
            ToolboxError::NotFound(
                "NOT_FOUND",
                "no accessible root: no application with accessibility runs on the desktop for this scope".into(),
            )
        };
        match scope {
            Scope::Pid(pid) => {
                // The bus itself knows which process holds each application's connection.
                let bus = NodeRef {
                    bus: "org.freedesktop.DBus".into(),
                    path: ObjectPath::from_static_str_unchecked("/org/freedesktop/DBus").into(),
                };
                for app in apps {
                    let owner: Result<u32, _> = self
                        .call(&bus, "org.freedesktop.DBus", "GetConnectionUnixProcessID", &(app.bus.as_str(),))
                        .await;
                    if owner.is_ok_and(|p| i64::from(p) == pid) {
                        return Ok(app);
                    }
                }
                Err(none())
            }
            _ => {
                for app in &apps {
                    for window in self.children(app).await.unwrap_or_default() {
                        // State bit 1: active (the window that has the focus).
                        if self.state_bits(&window).await.is_ok_and(|bits| bits.first().is_some_and(|w| w & 2 != 0)) {
                            return Ok(app.clone());
                        }
                    }
                }
                apps.into_iter().next().ok_or_else(none)
            }
        }
    }

    /// The tree under `scope`, `max_depth` levels deep (negative: all of them, up to
    /// [`MAX_DEPTH`]).
    pub async fn tree(&self, scope: Scope, max_depth: i64) -> Result<AccessibilityTreeResponse, ToolboxError> {
        within(async {
            let root = self.scope_root(scope).await?;
            let depth = if (0..MAX_DEPTH).contains(&max_depth) { max_depth } else { MAX_DEPTH };
            let mut walk = Walk::new();
            let root = self.walk(&root, depth, &mut walk, true).await?.unwrap_or_default();
            Ok(AccessibilityTreeResponse { root, truncated: walk.truncated })
        })
        .await
    }

    /// `node` and its descendants, `depth` levels deep, within `walk`'s limits. An element that
    /// fails to answer (gone, or an application that implements too little) is left out, but
    /// the root.
    fn walk<'a>(
        &'a self,
        node: &'a NodeRef,
        depth: i64,
        walk: &'a mut Walk,
        root: bool,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<Option<AccessibilityNode>, ToolboxError>> + Send + 'a>> {
        Box::pin(async move {
            if !walk.visit(node) {
                return Ok(None);
            }
            let mut out = match self.describe(node).await {
                Ok(out) => out,
                Err(_) if !root => return Ok(None),
                Err(e) => return Err(e),
            };
            if depth == 0 || !descends(&out) {
                return Ok(Some(out));
            }
            for child in self.children(node).await.unwrap_or_default() {
                if walk.truncated {
                    break;
                }
                if let Some(child) = self.walk(&child, depth - 1, walk, false).await? {
                    out.children.push(child);
                }
            }
            Ok(Some(out))
        })
    }

    /// The nodes under `scope` that `filter` matches, in tree order, without children.
    pub async fn find(&self, scope: Scope, filter: &Filter) -> Result<AccessibilityNodesResponse, ToolboxError> {
        within(async {
            let root = self.scope_root(scope).await?;
            let mut walk = Walk::new();
            let mut matches = Vec::new();
            // Depth first, in order: children pushed reversed.
            let mut pending = vec![(root, 0)];
            while let Some((node, depth)) = pending.pop() {
                if !walk.visit(&node) {
                    if walk.truncated {
                        break;
                    }
                    continue;
                }
                let described = match self.describe(&node).await {
                    Ok(d) => d,
                    Err(_) if depth > 0 => continue,
                    Err(e) => return Err(e),
                };
                let descend = depth < MAX_DEPTH && descends(&described);
                if filter.matches(&described) {
                    matches.push(described);
                    if matches.len() == filter.limit {
                        walk.truncated = true;
                        break;
                    }
                }
                if descend {
                    let children = self.children(&node).await.unwrap_or_default();
                    pending.extend(children.into_iter().take(walk.budget).rev().map(|c| (c, depth + 1)));
                }
            }
            Ok(AccessibilityNodesResponse { matches, truncated: walk.truncated })
        })
        .await
    }

    /// Gives `node` the keyboard focus.
    pub async fn focus(&self, node: &NodeRef) -> Result<(), ToolboxError> {
        within(async {
            match self.call::<_, bool>(node, COMPONENT, "GrabFocus", &()).await? {
                true => Ok(()),
                false => Err(ToolboxError::BadRequest("action not supported by node: it refused the focus".into())),
            }
        })
        .await
    }

    /// Does `node`'s action `action` (any case; none: its first).
    pub async fn invoke(&self, node: &NodeRef, action: Option<&str>) -> Result<(), ToolboxError> {
        within(async {
            let actions = self.actions(node).await?;
            let index = match action.filter(|a| !a.is_empty()) {
                None if actions.is_empty() => {
                    return Err(ToolboxError::BadRequest("action not supported by node: it has none".into()))
                }
                None => 0,
                Some(want) => actions.iter().position(|a| a.eq_ignore_ascii_case(want)).ok_or_else(|| {
                    ToolboxError::BadRequest(format!(
                        "action not supported by node: {want:?} is not one of {actions:?}"
                    ))
                })?,
            };
            match self.call::<_, bool>(node, ACTION, "DoAction", &(index as i32,)).await? {
                true => Ok(()),
                false => {
                    Err(ToolboxError::BadRequest(format!("action not supported by node: {:?} failed", actions[index])))
                }
            }
        })
        .await
    }

    /// Sets `node`'s text (an editable text) or, for a numeric control, its value.
    pub async fn set_value(&self, node: &NodeRef, value: &str) -> Result<(), ToolboxError> {
        within(async {
            // Most implementations answer false and still set the text: the call going through
            // is what counts.
            match self.call::<_, bool>(node, EDITABLE_TEXT, "SetTextContents", &(value,)).await {
                Ok(_) => return Ok(()),
                Err(ToolboxError::BadRequest(_)) => {}
                Err(e) => return Err(e),
            }
            let number: f64 = value.trim().parse().map_err(|_| {
                ToolboxError::BadRequest(format!(
                    "action not supported by node: it has no editable text and {value:?} is no number"
                ))
            })?;
            self.call::<_, ()>(
                node,
                "org.freedesktop.DBus.Properties",
                "Set",
                &(VALUE, "CurrentValue", Value::from(number)),
            )
            .await
        })
        .await
    }
}

/// The limits of one walk of the tree: the nodes it may still visit, the ids it has seen (a
/// tree that loops back is walked once), and when it stops; whether it stopped short.
struct Walk {
    budget: usize,
    seen: std::collections::HashSet<String>,
    deadline: tokio::time::Instant,
    truncated: bool,
}

impl Walk {
    fn new() -> Self {
        let deadline = tokio::time::Instant::now() + WALK_TIME;
        Self { budget: WALK_BUDGET, seen: Default::default(), deadline, truncated: false }
    }

    /// Whether `node` is visited (counted), or was already, or the walk is out of nodes or time
    /// (then truncated).
    fn visit(&mut self, node: &NodeRef) -> bool {
        if self.budget == 0 || tokio::time::Instant::now() >= self.deadline {
            self.truncated = true;
            return false;
        }
        if !self.seen.insert(node.id()) {
            return false;
        }
        self.budget -= 1;
        true
    }
}

/// Whether a walk goes into `node`'s children: not into those of an element that manages its
/// descendants (a spreadsheet's million cells, made on demand).
fn descends(node: &AccessibilityNode) -> bool {
    !node.states.iter().any(|s| s == "manages_descendants")
}

/// The state names of an AT-SPI state set.
fn state_names(bits: &[u32]) -> Vec<String> {
    STATES
        .iter()
        .enumerate()
        .filter(|(i, _)| bits.get(i / 32).is_some_and(|w| w & (1 << (i % 32)) != 0))
        .map(|(_, name)| (*name).to_owned())
        .collect()
}

/// `op`, or a timeout error after [`WITHIN`].
async fn within<T>(op: impl Future<Output = Result<T, ToolboxError>>) -> Result<T, ToolboxError> {
    tokio::time::timeout(WITHIN, op).await.unwrap_or_else(|_| {
        Err(ToolboxError::Timeout(format!("the accessibility request took more than {}s", WITHIN.as_secs())))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_ids_are_a_bus_name_and_an_object_path() {
        let node = NodeRef::parse(":1.42:/org/a11y/atspi/accessible/7").unwrap();
        assert_eq!((node.bus.as_str(), node.path.as_str()), (":1.42", "/org/a11y/atspi/accessible/7"));
        assert_eq!(node.id(), ":1.42:/org/a11y/atspi/accessible/7");
        assert_eq!(NodeRef::parse("org.a11y.atspi.Registry:/org/a11y/atspi/accessible/root").unwrap().bus, REGISTRY);
        for bad in ["", ":1.42", "/path", ":1.42/x", ":1.42:/a//b", "bad name:/x", ":1.42:/a b"] {
            assert!(matches!(NodeRef::parse(bad), Err(ToolboxError::BadRequest(_))), "{bad:?}");
        }
    }

    #[test]
    fn scopes_default_to_focused_and_pid_needs_one() {
        assert_eq!(Scope::parse(None, None).unwrap(), Scope::Focused);
        assert_eq!(Scope::parse(Some(" ALL "), None).unwrap(), Scope::All);
        assert_eq!(Scope::parse(Some("pid"), Some(42)).unwrap(), Scope::Pid(42));
        assert!(Scope::parse(Some("pid"), None).is_err());
        assert!(Scope::parse(Some("window"), None).is_err());
    }

    #[test]
    fn filters_match_role_any_case_name_by_mode_and_every_state() {
        let node = AccessibilityNode {
            role: "push button".into(),
            name: "OK, go".into(),
            states: vec!["enabled".into(), "focusable".into()],
            ..AccessibilityNode::default()
        };
        let filter = |role: Option<&str>, name: Option<&str>, mode: Option<&str>, states: &[&str]| {
            Filter::new(&FindAccessibilityNodesRequest {
                role: role.map(Into::into),
                name: name.map(Into::into),
                name_match: mode.map(Into::into),
                states: Some(states.iter().map(|s| (*s).to_owned()).collect()),
                ..FindAccessibilityNodesRequest::default()
            })
        };
        assert!(filter(Some("Push Button"), Some("OK"), None, &["enabled"]).unwrap().matches(&node));
        assert!(!filter(None, Some("OK"), Some("exact"), &[]).unwrap().matches(&node));
        assert!(filter(None, Some("^OK, go$"), Some("regex"), &[]).unwrap().matches(&node));
        assert!(!filter(None, None, None, &["focused"]).unwrap().matches(&node));
        assert!(!filter(Some("text"), None, None, &[]).unwrap().matches(&node));
        assert!(filter(None, Some("("), Some("regex"), &[]).is_err());
        assert!(filter(None, Some("x"), Some("fuzzy"), &[]).is_err());
        let limits = |limit| Filter::new(&FindAccessibilityNodesRequest { limit, ..Default::default() }).unwrap().limit;
        assert_eq!((limits(None), limits(Some(0)), limits(Some(7)), limits(Some(1 << 40))), (500, 500, 7, 5000));
    }

    #[test]
    fn state_sets_decode_by_bit() {
        // active (1), enabled (8), showing (25), read_only (43: the second word's bit 11).
        let bits = [(1 << 1) | (1 << 8) | (1 << 25), 1 << 11];
        assert_eq!(state_names(&bits), ["active", "enabled", "showing", "read_only"]);
        assert!(state_names(&[]).is_empty());
    }
}
