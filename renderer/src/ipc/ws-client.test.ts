import { describe, expect, it } from 'vitest';

import { socketUrlFor } from './ws-client.js';

describe('socketUrlFor', () => {
  it('keeps the token path and switches the scheme', () => {
    expect(socketUrlFor('http://127.0.0.1:7878/abcDEF_-123/')).toBe('ws://127.0.0.1:7878/abcDEF_-123/ws');
    expect(socketUrlFor('http://127.0.0.1:7878/tok/index.html?x=1#y')).toBe('ws://127.0.0.1:7878/tok/ws');
    expect(socketUrlFor('https://host.example/tok/')).toBe('wss://host.example/tok/ws');
  });
});
