import { Module } from '@nestjs/common';
import { NodeCatalogRepository } from './node-catalog.repository.js';
import { NodeCatalogService } from './node-catalog.service.js';

/** The enabled nodes in the protocol model, for the consumers that list them to users. */
@Module({
  providers: [NodeCatalogRepository, NodeCatalogService],
  exports: [NodeCatalogService],
})
export class NodeCatalogModule {}
