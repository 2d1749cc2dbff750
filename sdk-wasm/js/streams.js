// Byte-stream helpers of the file transfers. Data stays in browser memory (Blobs and
// stream chunks); nothing here copies file contents into WebAssembly memory.

// Any upload source as a Blob: Blob/File as is, bytes wrapped, streams collected by the browser.
export async function toBlob(source) {
  if (source instanceof Blob) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return new Blob([source]);
  if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) {
    return await new Response(source).blob();
  }
  throw new TypeError(
    'upload source must be a Blob, File, ArrayBuffer, typed array or ReadableStream (browsers have no local paths)',
  );
}

// Passes `stream` through unchanged, reporting (bytes so far, total) after each chunk.
export function withProgress(stream, total, onProgress) {
  let loaded = 0;
  return stream.pipeThrough(
    new TransformStream({
      transform(chunk, controller) {
        loaded += chunk.byteLength;
        onProgress(loaded, total);
        controller.enqueue(chunk);
      },
    }),
  );
}

// Collects a byte stream into a Blob (held by the browser, not by wasm).
export function streamToBlob(stream, type) {
  return new Response(stream, { headers: type ? { 'Content-Type': type } : {} }).blob();
}

// Calls onLine with each line of a text stream (without its newline or a CR before it) as the
// lines come, the last one even without a newline; resolves when the stream ends.
export async function eachLine(stream, onLine) {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let pending = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    pending += value;
    for (let at; (at = pending.indexOf('\n')) >= 0; pending = pending.slice(at + 1)) {
      onLine(pending.slice(0, at).replace(/\r$/, ''));
    }
  }
  if (pending) onLine(pending);
}
