// One way to send a request that returns a fetch Response. fetch cannot report upload
// progress, so requests that ask for it go through XMLHttpRequest instead.

/** @param {string} url @param {any} [init] fetch options, plus onProgress(done) for uploads @returns {Promise<Response>} */
export function send(url, init = {}) {
  if (!init.onProgress) {
    return fetch(url, init);
  }
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(init.method ?? "GET", url);
    xhr.responseType = "blob";
    for (const [name, value] of Object.entries(init.headers ?? {})) {
      xhr.setRequestHeader(name, value);
    }
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) init.onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      init.onProgress(1);
      resolve(new Response(xhr.status === 204 ? null : xhr.response, {
        status: xhr.status,
        statusText: xhr.statusText,
        headers: parseHeaders(xhr.getAllResponseHeaders()),
      }));
    });
    xhr.addEventListener("error", () => reject(new TypeError("The network request failed")));
    xhr.addEventListener("abort", () => reject(new DOMException("Aborted", "AbortError")));
    init.signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(init.body ?? null);
  });
}

function parseHeaders(raw) {
  const headers = new Headers();
  for (const line of raw.trim().split(/[\r\n]+/)) {
    const at = line.indexOf(":");
    if (at > 0) headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return headers;
}
