import { Module } from '@nestjs/common';
import { SspanelFuncController } from './sspanel-func.controller.js';

@Module({
  controllers: [SspanelFuncController],
})
export class NodeApiModule {}
