//! Session log text per stream: [`daytona_models::LogDemux`] splits the marker-framed bytes,
//! and each stream is decoded as UTF-8 incrementally (a character may be cut between frames).

use daytona_models::{LogDemux, LogStream};

/// Which stream text belongs to.
pub use daytona_models::LogStream as Channel;

/// Incremental demultiplexer and decoder: feed raw frames, get text per channel.
#[derive(Debug, Default)]
pub struct Demux {
    bytes: LogDemux,
    utf8: [Vec<u8>; 2],
}

fn slot(c: LogStream) -> usize {
    match c {
        LogStream::Stdout => 0,
        LogStream::Stderr => 1,
    }
}

impl Demux {
    /// Consumes a frame and returns the complete text it yields, in order.
    pub fn push(&mut self, frame: &[u8]) -> Vec<(Channel, String)> {
        let runs = self.bytes.push(frame);
        self.decode(runs)
    }

    /// Flushes what is left at the end of the stream.
    pub fn finish(&mut self) -> Vec<(Channel, String)> {
        let runs = self.bytes.finish();
        let mut out = self.decode(runs);
        for c in [LogStream::Stdout, LogStream::Stderr] {
            let rest = std::mem::take(&mut self.utf8[slot(c)]);
            if !rest.is_empty() {
                out.push((c, String::from_utf8_lossy(&rest).into_owned()));
            }
        }
        out
    }

    fn decode(&mut self, runs: Vec<(LogStream, Vec<u8>)>) -> Vec<(Channel, String)> {
        let mut out = Vec::new();
        for (stream, bytes) in runs {
            let buf = &mut self.utf8[slot(stream)];
            buf.extend_from_slice(&bytes);
            // Decode the longest valid prefix; keep an incomplete trailing sequence for later.
            let valid = match std::str::from_utf8(buf) {
                Ok(_) => buf.len(),
                Err(e) if e.error_len().is_none() => e.valid_up_to(),
                Err(_) => buf.len(),
            };
            let text: Vec<u8> = buf.drain(..valid).collect();
            if !text.is_empty() {
                out.push((stream, String::from_utf8_lossy(&text).into_owned()));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[test]
    fn decodes_characters_cut_between_frames() {
        let raw = "\x01\x01\x01out é\n\x02\x02\x02err ✓\n".as_bytes();
        for cut in 0..raw.len() {
            let mut d = Demux::default();
            let mut parts = d.push(&raw[..cut]);
            parts.extend(d.push(&raw[cut..]));
            parts.extend(d.finish());
            let pick = |c| parts.iter().filter(|(k, _)| *k == c).map(|(_, s)| s.as_str()).collect::<String>();
            assert_eq!(
                (pick(Channel::Stdout), pick(Channel::Stderr)),
                ("out é\n".to_owned(), "err ✓\n".to_owned()),
                "cut at {cut}"
            );
        }
    }
}
