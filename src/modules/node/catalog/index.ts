export { NodeCatalogModule } from './node-catalog.module.js';
export {
  CATALOG_GENERATION_KEY,
  type NodeCatalog,
  NodeCatalogService,
} from './node-catalog.service.js';
export { type NodeAccessUser, userMayUseNode } from './node-access.js';
