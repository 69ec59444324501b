export * from './meta';
export * from './core';
export * from './apps';
export * from './autoscaling';
export * from './coordination';
export * from './discovery';
export * from './metrics';
export * from './resources';
