import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

const INT_MAX = 2_147_483_647;
const NODE_ID = /^[1-9][0-9]{0,9}$/;

/** SSPanel agents put the node key in the query (`key`, `muKey`); the guard checks it. */
export class NodeKeyQueryDto {
  @IsOptional()
  @IsString()
  key?: string;

  @IsOptional()
  @IsString()
  muKey?: string;
}

/** `?node_id=` as XrayR sends it on /mod_mu/users and the report posts. */
export class NodeIdQueryDto extends NodeKeyQueryDto {
  @Type(() => Number)
  @IsInt({ message: 'node_id must be a positive integer' })
  @Min(1, { message: 'node_id must be a positive integer' })
  @Max(INT_MAX)
  node_id: number;
}

/** Seed `GET /node/users`: `node_id` is optional (without it: every servable user). */
export class OptionalNodeIdQueryDto extends NodeKeyQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'node_id must be a positive integer' })
  @Min(1, { message: 'node_id must be a positive integer' })
  @Max(INT_MAX)
  node_id?: number;
}

/** `:id` / `:node_id` path parameters. */
export class NodeIdParamDto {
  @Type(() => Number)
  @IsInt({ message: 'id must be a positive integer' })
  @Min(1, { message: 'id must be a positive integer' })
  @Max(INT_MAX)
  id: number;
}

/**
 * node_id when the query is one the route's DTO accepts as is: only `key`, `muKey` (strings)
 * and `node_id` (a plain positive integer, required or optional per route). Undefined: no
 * node_id; null: not for a fast path (node-fast-path.ts, NodeIdQueryPipe).
 */
export function canonicalNodeId(
  query: Record<string, unknown>,
  required: boolean,
): number | undefined | null {
  let nodeId: number | undefined;
  for (const name in query) {
    const value = query[name];
    if (typeof value !== 'string') return null;
    if (name === 'node_id') {
      if (!NODE_ID.test(value)) return null;
      nodeId = Number(value);
      if (nodeId > INT_MAX) return null;
    } else if (name !== 'key' && name !== 'muKey') return null;
  }
  if (required && nodeId === undefined) return null;
  return nodeId;
}
