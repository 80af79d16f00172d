// Defined by wxt.config.ts at build time (see build-config.ts); absent in unit tests.
interface ImportMetaEnv {
  readonly GIFTSTREAM_SERVER?: string;
}
