import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * One MaxMind DB (.mmdb) file, read from disk as lookups need it. mmdb-lib's
 * Reader wants the whole file in one Buffer (the city database is 45 MB); its
 * decoder and metadata parser work on any Buffer, so the search tree — most of
 * the file — stays on disk and is walked with positioned reads through a small
 * block cache, and only the data section (a few MB) is held in memory.
 * Format: https://maxmind.github.io/MaxMind-DB/
 */
interface MmdbMetadata {
  ipVersion: number;
  nodeCount: number;
  recordSize: number;
  nodeByteSize: number;
  searchTreeSize: number;
}

interface MmdbDecoder {
  decodeFast(offset: number): { value: unknown };
}

const require = createRequire(import.meta.url);
// mmdb-lib is pinned to an exact version in package.json: these are its own files, not a public entry point.
const { default: Decoder } = require('mmdb-lib/lib/decoder') as { default: new (db: Buffer, baseOffset?: number) => MmdbDecoder };
const { parseMetadata } = require('mmdb-lib/lib/metadata') as { parseMetadata: (db: Buffer) => MmdbMetadata };

/** The metadata section is at the end of the file and at most 128 KiB long. */
const METADATA_MAX = 128 * 1024;
/** 16 zero bytes separate the search tree from the data section. */
const DATA_SEPARATOR = 16;
const BLOCK = 4096;
/** Blocks of the search tree kept (1 MiB): its top levels, which every lookup walks. */
const CACHED_BLOCKS = 256;

export class MmdbFile {
  readonly ipVersion: 4 | 6;
  readonly #fd: number;
  readonly #meta: MmdbMetadata;
  readonly #decoder: MmdbDecoder;
  readonly #ipv4Start: number;
  /** The cached blocks, in one buffer allocated once: lookups make no garbage of their own. */
  readonly #cache = Buffer.alloc(CACHED_BLOCKS * BLOCK);
  /** Block index → its slot in #cache, least recently used first. */
  readonly #slots = new Map<number, number>();
  /** The node being read (at most 8 bytes). */
  readonly #node = Buffer.alloc(8);

  constructor(path: string) {
    this.#fd = openSync(path, 'r');
    try {
      const size = fstatSync(this.#fd).size;
      this.#meta = parseMetadata(this.#read(Math.max(0, size - METADATA_MAX), Math.min(size, METADATA_MAX)));
      if (this.#meta.ipVersion !== 4 && this.#meta.ipVersion !== 6) throw new Error(`${path}: unknown IP version ${this.#meta.ipVersion}`);
      this.ipVersion = this.#meta.ipVersion;
      const dataStart = this.#meta.searchTreeSize + DATA_SEPARATOR;
      // Pointers inside the data section count from its start, so the decoder gets it alone.
      this.#decoder = new Decoder(this.#read(dataStart, size - dataStart), 0);
      this.#ipv4Start = this.#findIpv4Start();
    } catch (err) {
      closeSync(this.#fd);
      throw err;
    }
  }

  /** The record for an address given as its bytes (4 for IPv4, 16 for IPv6), or null when the file has none. */
  lookup(bytes: readonly number[]): unknown {
    const { nodeCount } = this.#meta;
    const bits = bytes.length * 8;
    let node = bytes.length === 4 ? this.#ipv4Start : 0;
    for (let depth = 0; depth < bits && node < nodeCount; depth++) {
      const bit = (bytes[depth >> 3]! >>> (7 - (depth & 7))) & 1;
      node = this.#child(node, bit);
    }
    // node === nodeCount means "no data"; above it, an offset into the data section.
    if (node <= nodeCount) return null;
    return this.#decoder.decodeFast(node - nodeCount - DATA_SEPARATOR).value ?? null;
  }

  close(): void {
    closeSync(this.#fd);
    this.#slots.clear();
  }

  /** An IPv6 tree keeps IPv4 addresses under ::/96: 96 left turns from the root. */
  #findIpv4Start(): number {
    if (this.#meta.ipVersion === 4) return 0;
    let node = 0;
    for (let i = 0; i < 96 && node < this.#meta.nodeCount; i++) node = this.#child(node, 0);
    return node;
  }

  #child(node: number, bit: number): number {
    const { nodeByteSize, recordSize } = this.#meta;
    const b = this.#bytes(node * nodeByteSize, nodeByteSize);
    if (recordSize === 24) return bit ? b.readUIntBE(3, 3) : b.readUIntBE(0, 3);
    if (recordSize === 28) return bit ? ((b[3]! & 0x0f) << 24) | b.readUIntBE(4, 3) : ((b[3]! & 0xf0) << 20) | b.readUIntBE(0, 3);
    return bit ? b.readUInt32BE(4) : b.readUInt32BE(0);
  }

  /** `length` bytes of the search tree at `offset`, through the block cache (a node may straddle two blocks). */
  #bytes(offset: number, length: number): Buffer {
    const first = Math.floor(offset / BLOCK);
    const start = offset - first * BLOCK;
    const head = Math.min(length, BLOCK - start);
    this.#cache.copy(this.#node, 0, this.#slot(first) * BLOCK + start, this.#slot(first) * BLOCK + start + head);
    if (head < length) this.#cache.copy(this.#node, head, this.#slot(first + 1) * BLOCK, this.#slot(first + 1) * BLOCK + length - head);
    return this.#node;
  }

  /** Where block `index` is in the cache, read in first (over the least recently used one when full). */
  #slot(index: number): number {
    const hit = this.#slots.get(index);
    if (hit !== undefined) {
      this.#slots.delete(index);
      this.#slots.set(index, hit);
      return hit;
    }
    let slot = this.#slots.size;
    if (slot >= CACHED_BLOCKS) {
      const [oldest, freed] = this.#slots.entries().next().value!;
      this.#slots.delete(oldest);
      slot = freed;
    }
    this.#cache.fill(0, slot * BLOCK, (slot + 1) * BLOCK);
    readSync(this.#fd, this.#cache, slot * BLOCK, BLOCK, index * BLOCK);
    this.#slots.set(index, slot);
    return slot;
  }

  #read(position: number, length: number): Buffer {
    const buffer = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.#fd, buffer, done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done === length ? buffer : buffer.subarray(0, done);
  }
}
