//! Demultiplexing of session logs: stdout lines are prefixed with `01 01 01`, stderr lines
//! with `02 02 02`; frames may split markers and UTF-8 sequences anywhere.

/// Marker before stdout bytes.
const STDOUT: [u8; 3] = [1, 1, 1];
/// Marker before stderr bytes.
const STDERR: [u8; 3] = [2, 2, 2];

/// Which stream bytes belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// Incremental demultiplexer: feed raw frames, get decoded text per channel.
#[derive(Debug)]
pub struct Demux {
    current: Channel,
    pending: Vec<u8>,
    utf8: [Vec<u8>; 2],
}

impl Default for Demux {
    fn default() -> Self {
        Self { current: Channel::Stdout, pending: Vec::new(), utf8: [Vec::new(), Vec::new()] }
    }
}

fn slot(c: Channel) -> usize {
    match c {
        Channel::Stdout => 0,
        Channel::Stderr => 1,
    }
}

impl Demux {
    /// Consumes a frame and returns the complete text it yields, in order.
    pub fn push(&mut self, frame: &[u8]) -> Vec<(Channel, String)> {
        self.pending.extend_from_slice(frame);
        let mut out = Vec::new();
        loop {
            let found = self.pending.windows(3).position(|w| w == STDOUT || w == STDERR);
            match found {
                Some(at) => {
                    let rest = self.pending.split_off(at);
                    let before = std::mem::replace(&mut self.pending, rest[3..].to_vec());
                    self.emit(before, &mut out);
                    self.current = if rest[..3] == STDOUT { Channel::Stdout } else { Channel::Stderr };
                }
                None => {
                    // Keep up to two trailing bytes that may start a marker split across frames.
                    let keep = self.pending.iter().rev().take(2).take_while(|&&b| b == 1 || b == 2).count();
                    let cut = self.pending.len() - keep;
                    let tail = self.pending.split_off(cut);
                    let ready = std::mem::replace(&mut self.pending, tail);
                    self.emit(ready, &mut out);
                    return out;
                }
            }
        }
    }

    /// Flushes what is left at the end of the stream.
    pub fn finish(&mut self) -> Vec<(Channel, String)> {
        let mut out = Vec::new();
        let rest = std::mem::take(&mut self.pending);
        self.emit(rest, &mut out);
        for c in [Channel::Stdout, Channel::Stderr] {
            let bytes = std::mem::take(&mut self.utf8[slot(c)]);
            if !bytes.is_empty() {
                out.push((c, String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
        out
    }

    fn emit(&mut self, bytes: Vec<u8>, out: &mut Vec<(Channel, String)>) {
        if bytes.is_empty() {
            return;
        }
        let buf = &mut self.utf8[slot(self.current)];
        buf.extend_from_slice(&bytes);
        // Decode the longest valid prefix; keep an incomplete trailing sequence for later.
        let valid = match std::str::from_utf8(buf) {
            Ok(_) => buf.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => buf.len(),
        };
        let text: Vec<u8> = buf.drain(..valid).collect();
        if !text.is_empty() {
            out.push((self.current, String::from_utf8_lossy(&text).into_owned()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    fn run(frames: &[&[u8]]) -> (String, String) {
        let mut d = Demux::default();
        let mut out = Vec::new();
        for f in frames {
            out.extend(d.push(f));
        }
        out.extend(d.finish());
        let pick = |c| out.iter().filter(|(k, _)| *k == c).map(|(_, s)| s.as_str()).collect::<String>();
        (pick(Channel::Stdout), pick(Channel::Stderr))
    }

    #[test]
    fn splits_streams_across_frame_boundaries() {
        let raw = b"\x01\x01\x01out one\n\x02\x02\x02err \xc3\xa9\n\x01\x01\x01out two\n";
        let expected = ("out one\nout two\n".to_owned(), "err é\n".to_owned());
        assert_eq!(run(&[raw]), expected);
        for cut in 0..raw.len() {
            assert_eq!(run(&[&raw[..cut], &raw[cut..]]), expected, "cut at {cut}");
        }
        let bytes: Vec<&[u8]> = raw.chunks(1).collect();
        assert_eq!(run(&bytes), expected, "one byte per frame");
    }
}
