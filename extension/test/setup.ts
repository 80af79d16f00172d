import 'fake-indexeddb/auto';
import { afterEach, beforeEach } from 'vitest';
import { cleanup } from '@testing-library/preact';
import { fakeBrowser } from 'wxt/testing';

beforeEach(() => fakeBrowser.reset());
afterEach(() => cleanup());
