//! Splits a kernel's stdout or stderr into text and the sequence marks the kernel writes
//! before each event (`NUL nonce : seq NUL`), keeping UTF-8 characters and marks whole
//! across reads.

/// One piece of a stream.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece {
    /// Output text (never empty).
    Text(String),
    /// The kernel's mark: everything it wrote before event `seq` has been read.
    Mark(u64),
}

/// Longest decimal sequence number a mark may carry.
const MAX_SEQ_DIGITS: usize = 20;

/// The splitter of one stream.
pub struct Splitter {
    mark: Vec<u8>,
    pending: Vec<u8>,
}

impl Splitter {
    /// A splitter for marks made of `nonce`.
    pub fn new(nonce: &str) -> Self {
        let mut mark = vec![0u8];
        mark.extend_from_slice(nonce.as_bytes());
        mark.push(b':');
        Self { mark, pending: Vec::new() }
    }

    /// Feeds the next bytes read; returns the pieces now complete.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Piece> {
        self.pending.extend_from_slice(bytes);
        let mut pieces = Vec::new();
        let mut start = 0;
        loop {
            let rest = &self.pending[start..];
            let Some(at) = find(rest, &self.mark) else {
                // Keep what may begin a mark or end inside a character for the next read.
                let keep = longest_suffix_prefix(rest, &self.mark);
                let end = char_boundary(&rest[..rest.len() - keep]);
                push_text(&mut pieces, &rest[..end]);
                start += end;
                break;
            };
            let digits = &rest[at + self.mark.len()..];
            match digits.iter().take(MAX_SEQ_DIGITS + 1).position(|&b| b == 0) {
                Some(len) => {
                    push_text(&mut pieces, &rest[..at]);
                    match std::str::from_utf8(&digits[..len]).ok().and_then(|d| d.parse().ok()) {
                        Some(seq) => pieces.push(Piece::Mark(seq)),
                        None => push_text(&mut pieces, &rest[at..at + self.mark.len() + len + 1]),
                    }
                    start += at + self.mark.len() + len + 1;
                }
                // Not a mark after all (the user wrote our nonce): plain text.
                None if digits.len() > MAX_SEQ_DIGITS => {
                    push_text(&mut pieces, &rest[..at + self.mark.len()]);
                    start += at + self.mark.len();
                }
                // The rest of the mark has not arrived yet.
                None => {
                    push_text(&mut pieces, &rest[..at]);
                    start += at;
                    break;
                }
            }
        }
        self.pending.drain(..start);
        pieces
    }

    /// What is left at the end of the stream, as text.
    pub fn finish(&mut self) -> Option<Piece> {
        let rest = std::mem::take(&mut self.pending);
        (!rest.is_empty()).then(|| Piece::Text(String::from_utf8_lossy(&rest).into_owned()))
    }
}

fn push_text(pieces: &mut Vec<Piece>, bytes: &[u8]) {
    if !bytes.is_empty() {
        pieces.push(Piece::Text(String::from_utf8_lossy(bytes).into_owned()));
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Length of the longest end of `bytes` that is a proper beginning of `mark`.
fn longest_suffix_prefix(bytes: &[u8], mark: &[u8]) -> usize {
    (1..mark.len().min(bytes.len() + 1)).rev().find(|&n| bytes.ends_with(&mark[..n])).unwrap_or(0)
}

/// Length of `bytes` without a UTF-8 character cut off at its end.
fn char_boundary(bytes: &[u8]) -> usize {
    for back in 1..=bytes.len().min(3) {
        let byte = bytes[bytes.len() - back];
        if byte & 0xC0 == 0x80 {
            continue; // a continuation byte: look further back for the lead
        }
        let width = match byte {
            b if b >= 0xF0 => 4,
            b if b >= 0xE0 => 3,
            b if b >= 0xC0 => 2,
            _ => 1,
        };
        return if width > back { bytes.len() - back } else { bytes.len() };
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Piece {
        Piece::Text(s.into())
    }

    #[test]
    fn text_and_marks_in_one_read() {
        let mut s = Splitter::new("n0");
        assert_eq!(s.feed(b"a\n\0n0:1\0b\0n0:22\0"), vec![text("a\n"), Piece::Mark(1), text("b"), Piece::Mark(22)]);
    }

    #[test]
    fn a_mark_split_across_reads_is_whole() {
        let mut s = Splitter::new("nonce");
        let mut all = Vec::new();
        for chunk in [&b"x\0no"[..], b"nce:", b"7", b"\0y"] {
            all.extend(s.feed(chunk));
        }
        assert_eq!(all, vec![text("x"), Piece::Mark(7), text("y")]);
    }

    #[test]
    fn a_character_split_across_reads_is_whole() {
        let mut s = Splitter::new("n");
        let euro = "€".as_bytes();
        assert_eq!(s.feed(&[b'a', euro[0], euro[1]]), vec![text("a")]);
        assert_eq!(s.feed(&euro[2..]), vec![text("€")]);
    }

    #[test]
    fn a_fake_mark_is_text() {
        let mut s = Splitter::new("n");
        let fake = b"\0n:123456789012345678901234\0";
        let mut pieces = s.feed(fake);
        pieces.extend(s.finish());
        let joined: String = pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Mark(_) => panic!("a fake mark was taken: {pieces:?}"),
            })
            .collect();
        assert_eq!(joined.as_bytes(), fake);
    }

    #[test]
    fn the_end_of_the_stream_keeps_a_partial_mark_as_text() {
        let mut s = Splitter::new("nonce");
        assert_eq!(s.feed(b"tail\0non"), vec![text("tail")]);
        assert_eq!(s.finish(), Some(text("\0non")));
    }
}
