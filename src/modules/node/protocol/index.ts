export * from './node-protocol.js';
export { readNodeProtocol } from './node-protocol.reader.js';
export {
  clientCredentials,
  ss2022UserKey,
  type ClientCredentials,
  type ProxyUser,
} from './client-credentials.js';
export { hostForUri, isValidAddress } from './node-address.js';
export { agentCustomConfig, xrayrCustomConfig } from './xrayr-custom-config.js';
