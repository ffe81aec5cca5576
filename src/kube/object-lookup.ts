/**
 * What a pod manifest may refer to by name (ConfigMaps, Secrets, claims), looked up while the
 * manifest is read, so a missing one is an error before anything is created. Values are
 * base64, as a Secret's `data` is; a ConfigMap's `data` is encoded on the way in.
 */
export interface ObjectLookup {
  configMap(namespace: string, name: string): Map<string, string> | undefined;
  secret(namespace: string, name: string): Map<string, string> | undefined;
  /** The Docker volume of a PersistentVolumeClaim. */
  claimVolume(namespace: string, name: string): string | undefined;
}

/** A lookup that knows nothing: pod manifests that refer to no objects read fine with it. */
export const NO_OBJECTS: ObjectLookup = {
  configMap: () => undefined,
  secret: () => undefined,
  claimVolume: () => undefined,
};

export const decodeBase64 = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');
