//! Session command logs on the wire: each line is led by a 3-byte marker, `01 01 01` for stdout
//! and `02 02 02` for stderr. [`LogDemux`] splits such bytes incrementally (markers may be cut
//! anywhere between chunks), for the daemon that serves logs and the SDKs that read them.

/// Marker that leads a stdout line.
pub const STDOUT_MARKER: &[u8; 3] = b"\x01\x01\x01";
/// Marker that leads a stderr line.
pub const STDERR_MARKER: &[u8; 3] = b"\x02\x02\x02";

/// Which stream log bytes belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogStream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

impl LogStream {
    /// The marker that leads this stream's lines.
    pub fn marker(self) -> &'static [u8; 3] {
        match self {
            Self::Stdout => STDOUT_MARKER,
            Self::Stderr => STDERR_MARKER,
        }
    }
}

/// Incremental demultiplexer: feed raw chunks, get byte runs per stream in order. Bytes before
/// any marker are stdout. Up to two trailing bytes that may start a marker are held back until
/// the next chunk (or [`LogDemux::finish`]).
#[derive(Debug)]
pub struct LogDemux {
    current: LogStream,
    pending: Vec<u8>,
}

impl Default for LogDemux {
    fn default() -> Self {
        Self { current: LogStream::Stdout, pending: Vec::new() }
    }
}

impl LogDemux {
    /// Consumes a chunk; returns the complete runs it yields (one pass, no re-copying).
    pub fn push(&mut self, chunk: &[u8]) -> Vec<(LogStream, Vec<u8>)> {
        self.pending.extend_from_slice(chunk);
        let mut out = Vec::new();
        let (mut start, mut i) = (0, 0);
        while i + 3 <= self.pending.len() {
            let next = match &self.pending[i..i + 3] {
                w if w == STDOUT_MARKER => Some(LogStream::Stdout),
                w if w == STDERR_MARKER => Some(LogStream::Stderr),
                _ => None,
            };
            match next {
                Some(stream) => {
                    if i > start {
                        out.push((self.current, self.pending[start..i].to_vec()));
                    }
                    self.current = stream;
                    i += 3;
                    start = i;
                }
                None => i += 1,
            }
        }
        let end = self.pending.len() - partial_marker_len(&self.pending[start..]);
        if end > start {
            out.push((self.current, self.pending[start..end].to_vec()));
        }
        self.pending.drain(..end);
        out
    }

    /// Returns what is still held back at the end of the stream.
    pub fn finish(&mut self) -> Vec<(LogStream, Vec<u8>)> {
        match self.pending.is_empty() {
            true => Vec::new(),
            false => vec![(self.current, std::mem::take(&mut self.pending))],
        }
    }

    /// A whole log split into (stdout, stderr).
    pub fn split(raw: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let mut demux = Self::default();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut runs = demux.push(raw);
        runs.extend(demux.finish());
        for (stream, bytes) in runs {
            match stream {
                LogStream::Stdout => out.extend(bytes),
                LogStream::Stderr => err.extend(bytes),
            }
        }
        (out, err)
    }
}

/// How many trailing bytes of `tail` could be the start of a marker (0, 1 or 2).
fn partial_marker_len(tail: &[u8]) -> usize {
    match tail {
        [.., a, b] if a == b && (*a == 1 || *a == 2) => 2,
        [.., b] if *b == 1 || *b == 2 => 1,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(frames: &[&[u8]]) -> (Vec<u8>, Vec<u8>) {
        let mut d = LogDemux::default();
        let mut runs = Vec::new();
        for f in frames {
            runs.extend(d.push(f));
        }
        runs.extend(d.finish());
        let pick = |s| runs.iter().filter(|(k, _)| *k == s).flat_map(|(_, b)| b.clone()).collect::<Vec<u8>>();
        (pick(LogStream::Stdout), pick(LogStream::Stderr))
    }

    #[test]
    fn splits_streams_across_any_chunk_boundary() {
        let raw = b"pre\x01\x01\x01out one\n\x02\x02\x02err \xc3\xa9\n\x01\x01\x01out two\n\x02\x02\x02";
        let expected = (b"preout one\nout two\n".to_vec(), b"err \xc3\xa9\n".to_vec());
        assert_eq!(run(&[raw]), expected);
        assert_eq!(LogDemux::split(raw), expected);
        for cut in 0..raw.len() {
            assert_eq!(run(&[&raw[..cut], &raw[cut..]]), expected, "cut at {cut}");
        }
        let bytes: Vec<&[u8]> = raw.chunks(1).collect();
        assert_eq!(run(&bytes), expected, "one byte per chunk");
    }

    #[test]
    fn lone_marker_bytes_at_the_end_are_kept() {
        assert_eq!(run(&[b"a\x01"]), (b"a\x01".to_vec(), Vec::new()));
        assert_eq!(run(&[b"\x02\x02"]), (b"\x02\x02".to_vec(), Vec::new()));
    }
}
