// Options shared by the pull and push sides of the OCI adapter.
import type { Logger } from "pino";

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface OciClientOptions {
  /** Registries (host or host:port) reached over plain HTTP; everything else uses https. */
  insecureRegistries?: readonly string[];
  /** When non-empty, the only registries (host or host:port) references may name, besides insecureRegistries. */
  allowedRegistries?: readonly string[];
  /**
   * Refuse loopback and link-local registry addresses (127.0.0.0/8, ::1, localhost, 169.254.0.0/16, fe80::/10)
   * unless listed: a caller-chosen reference must not reach the server's own ports or a metadata service.
   */
  refusePrivateAddresses?: boolean;
  /**
   * Addresses a registry host name resolves to, for the refusal above (default: dns.lookup, all addresses).
   * Injected by tests; a lookup that fails lets the request fail on its own.
   */
  resolveHost?: (host: string) => Promise<string[]>;
  /** Basic credentials by registry host[:port]; used directly or to obtain bearer tokens. */
  credentials?: Readonly<Record<string, RegistryCredentials>>;
  /** Path of a Docker config.json whose `auths` entries supply credentials not given above. */
  dockerConfigPath?: string;
  /** Largest blob (layer or config) accepted, in bytes. Default 64 MiB. */
  maxBlobBytes?: number;
  /** Largest total size of the files inside one layer. Default 4 × maxBlobBytes. */
  maxExtractedBytes?: number;
  /** Largest number of entries inside one layer. Default 10,000. */
  maxArchiveEntries?: number;
  /** Per-request timeout. Default 30 s. */
  timeoutMs?: number;
  /** Page size for tags/list (the `n` parameter); by default the registry chooses. */
  tagsPageSize?: number;
  /** Parent directory for temporary extraction directories. Default os.tmpdir(). */
  tmpDir?: string;
  logger?: Logger;
}

export const DEFAULT_MAX_BLOB_BYTES = 64 * 1024 * 1024;
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 30_000;
