import { ConfigError } from '@mmon/shared';
import { readConfig } from '../src/config';

describe('readConfig', () => {
  it('has defaults for everything', () => {
    expect(readConfig({})).toEqual({
      redis: { url: 'redis://127.0.0.1:6379/0', sentinels: [], sentinelName: 'mymaster' },
      logLevel: 'info',
      intervalMs: 5000,
      diskPaths: ['/'],
      netDevFile: '/proc/net/dev',
      dockerSocket: '/var/run/docker.sock',
      composeProject: 'mediamtx-monitor',
      containerScope: 'project',
      historyTiers: [
        { resolutionMs: 10_000, retentionMs: 3_600_000 },
        { resolutionMs: 60_000, retentionMs: 86_400_000 },
        { resolutionMs: 600_000, retentionMs: 2_592_000_000 },
      ],
    });
    expect(readConfig({ HISTORY_TIERS: 'off' }).historyTiers).toBeNull();
  });

  it('reads every variable', () => {
    const config = readConfig({
      SYSMON_INTERVAL_MS: '500',
      SYSMON_DISK_PATHS: ' /, /data ,/data,',
      SYSMON_NET_DEV_FILE: '/proc/1/net/dev',
      DOCKER_SOCKET: '/run/podman/podman.sock',
      SYSMON_COMPOSE_PROJECT: 'other',
      SYSMON_CONTAINERS: 'all',
    });
    expect(config).toMatchObject({
      intervalMs: 500,
      diskPaths: ['/', '/data'],
      netDevFile: '/proc/1/net/dev',
      dockerSocket: '/run/podman/podman.sock',
      composeProject: 'other',
      containerScope: 'all',
    });
  });

  it.each([
    ['SYSMON_INTERVAL_MS', '499'],
    ['SYSMON_INTERVAL_MS', '5s'],
    ['SYSMON_DISK_PATHS', 'data'],
    ['SYSMON_DISK_PATHS', ','],
    ['SYSMON_CONTAINERS', 'some'],
    ['REDIS_URL', 'http://x'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    let error: unknown;
    try {
      readConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(name);
    expect((error as ConfigError).message).toContain(name);
  });
});
