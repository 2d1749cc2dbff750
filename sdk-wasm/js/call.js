// The transport of the SDK's JSON calls. XMLHttpRequest where there is one: for a short
// request Chromium spends ~0.3 ms less on it than on `fetch` of the same (tests/peer measures
// both), which is much of a short call's time in a browser. `fetch` where there is none
// (Node, service workers) and for requests that must outlive the page (`keepalive`).
// Resolves to the answer (`{ status, responseText }`) for any status; rejects with a TypeError
// when the connection fails or `signal` fires.
//
// A 429 (rate limited) that says when to come back is sent again then, up to RETRIES times,
// if the wait is at most MAX_WAIT_S; the signal (the call's abort signal and timeout) ends the
// wait too. Otherwise the 429 is the answer (DaytonaRateLimitError).
const RETRIES = 3;
const MAX_WAIT_S = 60;

export async function call(method, url, headers, body, signal, keepalive) {
  for (let retry = 0; ; retry++) {
    const answer = await send(method, url, headers, body, signal, keepalive);
    const wait = answer.status === 429 && retry < RETRIES ? retryAfter(answer) : -1;
    if (wait < 0 || wait > MAX_WAIT_S) return answer;
    await pause(wait, signal);
  }
}

function send(method, url, headers, body, signal, keepalive) {
  if (keepalive || typeof XMLHttpRequest === 'undefined') {
    return fetch(url, { method, headers, body, signal, keepalive }).then(async (r) => ({
      status: r.status,
      responseText: await r.text(),
      headers: r.headers,
    }));
  }
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const name in headers) xhr.setRequestHeader(name, headers[name]);
    const abort = () => xhr.abort();
    signal?.addEventListener('abort', abort);
    xhr.onloadend = () => {
      signal?.removeEventListener('abort', abort);
      if (xhr.status) resolve(xhr);
      else reject(new TypeError(signal?.aborted ? 'the request was aborted' : 'the connection failed'));
    };
    xhr.send(body);
  });
}

// Seconds an answer asks to wait before coming back: the longest of its `Retry-After` and
// Daytona's per-limit `Retry-After-<name>` headers (seconds or an HTTP date); -1 if it names
// none, or the browser may not read them (across origins the server must expose them).
function retryAfter(answer) {
  const all = answer.getAllResponseHeaders
    ? answer.getAllResponseHeaders()
    : [...answer.headers].map(([k, v]) => `${k}: ${v}`).join('\n');
  let wait = -1;
  for (const [, v] of all.matchAll(/^retry-after(?:-[\w-]+)?:[ \t]*(.*?)\s*$/gim)) {
    const s = /^\d+(\.\d+)?$/.test(v) ? Number(v) : (Date.parse(v) - Date.now()) / 1000;
    if (!Number.isNaN(s)) wait = Math.max(wait, s, 0);
  }
  return wait;
}

// Resolves after `seconds`; rejects as a failed request does if `signal` fires first.
function pause(seconds, signal) {
  return new Promise((resolve, reject) => {
    const stop = () => {
      clearTimeout(timer);
      reject(new TypeError('the request was aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, seconds * 1000);
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop);
  });
}
