//! Reads git's machine formats: `status --porcelain=v2 --branch -z` and the history's
//! `log -z` records.

use daytona_models::{file_status as fs, FileStatus, GitCommitInfo, GitStatus};

/// The wire name of a porcelain status letter.
fn state(letter: char) -> &'static str {
    match letter {
        'M' | 'T' => fs::MODIFIED,
        'A' => fs::ADDED,
        'D' => fs::DELETED,
        'R' => fs::RENAMED,
        'C' => fs::COPIED,
        'U' => fs::UNMERGED,
        '?' => fs::UNTRACKED,
        _ => fs::UNMODIFIED,
    }
}

/// Parses `git status --porcelain=v2 --branch -z`. A detached HEAD reports `HEAD` as its
/// branch (as Daytona's daemon does); ahead/behind are 0 without an upstream.
pub fn parse(out: &str) -> GitStatus {
    let mut status = GitStatus { ahead: Some(0), behind: Some(0), upstream: Some(String::new()), ..Default::default() };
    let mut records = out.split('\0').filter(|r| !r.is_empty());
    while let Some(record) = records.next() {
        let file = |xy: &str, name: &str, extra: String| {
            let mut letters = xy.chars();
            FileStatus {
                name: name.to_owned(),
                staging: state(letters.next().unwrap_or('.')).to_owned(),
                worktree: state(letters.next().unwrap_or('.')).to_owned(),
                extra,
            }
        };
        if let Some(header) = record.strip_prefix("# ") {
            let (key, value) = header.split_once(' ').unwrap_or((header, ""));
            match key {
                "branch.head" if value == "(detached)" => {
                    status.current_branch = "HEAD".into();
                    status.detached = Some(true);
                }
                "branch.head" => status.current_branch = value.to_owned(),
                "branch.upstream" => status.upstream = Some(value.to_owned()),
                "branch.ab" => {
                    let mut counts = value.split(' ').map(|c| c.trim_start_matches(['+', '-']).parse().unwrap_or(0));
                    status.ahead = counts.next();
                    status.behind = counts.next();
                }
                _ => {}
            }
        } else if let Some(path) = record.strip_prefix("? ") {
            status.file_status.push(file("??", path, String::new()));
        } else if let Some(rest) = record.strip_prefix("1 ") {
            // XY sub mH mI mW hH hI path
            let fields: Vec<&str> = rest.splitn(8, ' ').collect();
            if let [xy, .., path] = fields.as_slice() {
                status.file_status.push(file(xy, path, String::new()));
            }
        } else if let Some(rest) = record.strip_prefix("2 ") {
            // XY sub mH mI mW hH hI Xscore path, then the original path as the next record.
            let fields: Vec<&str> = rest.splitn(9, ' ').collect();
            let original = records.next().unwrap_or_default().to_owned();
            if let [xy, .., path] = fields.as_slice() {
                status.file_status.push(file(xy, path, original));
            }
        } else if let Some(rest) = record.strip_prefix("u ") {
            // XY sub m1 m2 m3 mW h1 h2 h3 path
            let fields: Vec<&str> = rest.splitn(10, ' ').collect();
            if let [_, .., path] = fields.as_slice() {
                status.file_status.push(file("UU", path, String::new()));
            }
        }
    }
    status.branch_published = Some(status.upstream.as_deref().is_some_and(|u| !u.is_empty()));
    status
}

/// Parses `git log -z --format=%H%x1f%an%x1f%ae%x1f%aI%x1f%B`.
pub fn parse_log(out: &str) -> Vec<GitCommitInfo> {
    out.split('\0')
        .filter(|r| !r.trim().is_empty())
        .filter_map(|record| {
            let mut f = record.splitn(5, '\x1f');
            Some(GitCommitInfo {
                hash: f.next()?.trim_start_matches('\n').to_owned(),
                author: f.next()?.to_owned(),
                email: f.next()?.to_owned(),
                timestamp: f.next()?.to_owned(),
                message: f.next()?.to_owned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn porcelain_v2_is_read_with_branch_and_every_kind_of_entry() {
        let out = concat!(
            "# branch.oid 1234\0# branch.head main\0# branch.upstream origin/main\0# branch.ab +2 -1\0",
            "1 .M N... 100644 100644 100644 aa bb src/a b.txt\0",
            "1 A. N... 000000 100644 100644 00 cc new.txt\0",
            "2 R. N... 100644 100644 100644 dd dd R100 moved.txt\0old.txt\0",
            "u UU N... 100644 100644 100644 100644 a b c conflict.txt\0",
            "? notes/todo.md\0",
        );
        let s = parse(out);
        assert_eq!(s.current_branch, "main");
        assert_eq!((s.ahead, s.behind), (Some(2), Some(1)));
        assert_eq!(s.upstream.as_deref(), Some("origin/main"));
        assert_eq!(s.branch_published, Some(true));
        assert_eq!(s.detached, None);
        let got: Vec<(&str, &str, &str, &str)> = s
            .file_status
            .iter()
            .map(|f| (f.name.as_str(), f.staging.as_str(), f.worktree.as_str(), f.extra.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("src/a b.txt", "Unmodified", "Modified", ""),
                ("new.txt", "Added", "Unmodified", ""),
                ("moved.txt", "Renamed", "Unmodified", "old.txt"),
                ("conflict.txt", "Updated but unmerged", "Updated but unmerged", ""),
                ("notes/todo.md", "Untracked", "Untracked", ""),
            ]
        );
    }

    #[test]
    fn detached_head_and_no_upstream() {
        let s = parse("# branch.oid abc\0# branch.head (detached)\0");
        assert_eq!(s.current_branch, "HEAD");
        assert_eq!(s.detached, Some(true));
        assert_eq!((s.ahead, s.behind, s.branch_published), (Some(0), Some(0), Some(false)));
        assert_eq!(s.upstream.as_deref(), Some(""));
    }

    #[test]
    fn log_records_keep_multi_line_messages() {
        let out = "h1\x1fAda\x1fada@x.org\x1f2026-12-05T06:00:00+00:00\x1fsubject\n\nbody line\n\0\nh2\x1fBob\x1fb@x.org\x1f2026-12-04T06:00:00+00:00\x1finit\n\0";
        let log = parse_log(out);
        assert_eq!(log.len(), 2);
        assert_eq!(log[0].message, "subject\n\nbody line\n");
        assert_eq!((log[1].hash.as_str(), log[1].author.as_str()), ("h2", "Bob"));
    }
}
