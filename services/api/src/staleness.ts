export { isStale } from '@mmon/shared';
