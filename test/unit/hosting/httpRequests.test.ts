import type { HttpRequest } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { HttpRequest as FunctionsHttpRequest } from '../../../shared/hosting/azureFunctionsRuntime.js';
import { readBodyText } from '../../../shared/hosting/httpRequests.js';

/** A request whose body never ends, counting how much of it was pulled. */
function endlessChunkedRequest(): { request: HttpRequest; pulledBytes: () => number } {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += 64 * 1024;
      controller.enqueue(new Uint8Array(64 * 1024));
    },
  });
  return { request: { headers: new Headers(), body } as unknown as HttpRequest, pulledBytes: () => pulled };
}

describe('readBodyText', () => {
  it('when a body without a length runs past the limit, then it is refused with 413 and reading stops there', async () => {
    const { request, pulledBytes } = endlessChunkedRequest();

    await expect(readBodyText(request, 1024 * 1024)).rejects.toMatchObject({ code: 'payload-too-large' });
    expect(pulledBytes()).toBeLessThanOrEqual(1024 * 1024 + 3 * 64 * 1024);
  });

  it('when the declared length is over the limit, then it is refused before anything is read', async () => {
    const { request, pulledBytes } = endlessChunkedRequest();
    request.headers.set('content-length', String(99 * 1024 * 1024));

    await expect(readBodyText(request, 1024 * 1024)).rejects.toMatchObject({ code: 'payload-too-large' });
    expect(pulledBytes()).toBeLessThanOrEqual(64 * 1024);
  });

  it('when the body is within the limit, then it is read whole', async () => {
    const request = new FunctionsHttpRequest({
      method: 'POST',
      url: 'http://127.0.0.1/api/x',
      body: { string: 'é'.repeat(10) },
    });

    expect(await readBodyText(request, 1024)).toBe('é'.repeat(10));
  });
});
