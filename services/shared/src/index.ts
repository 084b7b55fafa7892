export * from './config';
export * from './logger';
export * from './keys';
export * from './redis';
export * from './main';
export * from './model';
export * from './mediamtx/types';
