//! A repository's changes as the Source control view groups them: staged (what the index has
//! against HEAD), changed (what the working tree has against the index) and untracked. A file
//! changed after it was staged is in both groups, as in every git UI.

use daytona_wasm::models::{file_status as fs, GitStatus};

/// The group a change is shown in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Group {
    /// In the index, to be committed.
    Staged,
    /// In the working tree, not staged.
    Changed,
    /// Not tracked by git.
    Untracked,
}

impl Group {
    /// The group's heading.
    pub fn label(self) -> &'static str {
        match self {
            Self::Staged => "Staged",
            Self::Changed => "Changes",
            Self::Untracked => "Untracked",
        }
    }
}

/// One change of one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileGroup {
    /// The file's path in the repository.
    pub name: String,
    /// Its state in that group (`Modified`, `Added`, … as the wire names them).
    pub state: &'static str,
    /// Where it shows.
    pub group: Group,
    /// The path it was renamed or copied from.
    pub extra: Option<String>,
}

/// The wire's state name as a `&'static str` (unknown names count as modified).
fn state_of(name: &str) -> &'static str {
    [fs::UNMODIFIED, fs::UNTRACKED, fs::MODIFIED, fs::ADDED, fs::DELETED, fs::RENAMED, fs::COPIED, fs::UNMERGED]
        .into_iter()
        .find(|s| *s == name)
        .unwrap_or(fs::MODIFIED)
}

/// Every change of `status`, grouped, in the order git listed them.
pub fn groups(status: &GitStatus) -> Vec<FileGroup> {
    let mut out = Vec::new();
    for f in &status.file_status {
        let extra = Some(f.extra.clone()).filter(|e| !e.is_empty());
        let (staging, worktree) = (state_of(&f.staging), state_of(&f.worktree));
        if staging == fs::UNTRACKED || worktree == fs::UNTRACKED {
            out.push(FileGroup { name: f.name.clone(), state: fs::UNTRACKED, group: Group::Untracked, extra });
            continue;
        }
        if staging != fs::UNMODIFIED {
            out.push(FileGroup { name: f.name.clone(), state: staging, group: Group::Staged, extra: extra.clone() });
        }
        if worktree != fs::UNMODIFIED {
            out.push(FileGroup { name: f.name.clone(), state: worktree, group: Group::Changed, extra });
        }
    }
    out
}

/// The one-letter mark of a state (as `git status --short` writes it).
pub fn letter(state: &str) -> &'static str {
    match state {
        fs::ADDED => "A",
        fs::DELETED => "D",
        fs::RENAMED => "R",
        fs::COPIED => "C",
        fs::UNMERGED => "U",
        fs::UNTRACKED => "?",
        _ => "M",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use daytona_wasm::models::FileStatus;

    fn file(name: &str, staging: &str, worktree: &str) -> FileStatus {
        FileStatus { name: name.into(), staging: staging.into(), worktree: worktree.into(), extra: String::new() }
    }

    #[test]
    fn changes_land_in_their_groups() {
        let status = GitStatus {
            file_status: vec![
                file("both.txt", "Modified", "Modified"),
                file("new.txt", "Added", "Unmodified"),
                file("edit.txt", "Unmodified", "Deleted"),
                file("notes.md", "Untracked", "Untracked"),
            ],
            ..Default::default()
        };
        let grouped = groups(&status);
        let got: Vec<(&str, Group, &str)> =
            grouped.iter().map(|f| (f.name.as_str(), f.group, letter(f.state))).collect();
        assert_eq!(
            got,
            [
                ("both.txt", Group::Staged, "M"),
                ("both.txt", Group::Changed, "M"),
                ("new.txt", Group::Staged, "A"),
                ("edit.txt", Group::Changed, "D"),
                ("notes.md", Group::Untracked, "?"),
            ]
        );
    }
}
