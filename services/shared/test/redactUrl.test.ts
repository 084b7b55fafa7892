import { redactUrl } from '../src/config';

describe('redactUrl', () => {
  it('hides user:password before the host, in every URL of a line', () => {
    expect(redactUrl('rtsp://admin:s3cret@10.0.0.1:8554/cam')).toBe('rtsp://***@10.0.0.1:8554/cam');
    expect(redactUrl('from rtsp://a:b@h/x to srt://c:d@h:1')).toBe('from rtsp://***@h/x to srt://***@h:1');
  });

  it('hides secret query parameters such as the SRT passphrase', () => {
    expect(redactUrl('srt://h:8890?streamid=read:cam/1&passphrase=topsecret99&latency=200')).toBe(
      'srt://h:8890?streamid=read:cam/1&passphrase=***&latency=200',
    );
    expect(redactUrl('http://h/x?user=bob&pass=pw1: Connection refused')).toBe('http://h/x?user=***&pass=*** Connection refused'); // a secret may hold any character: up to the next space
    expect(redactUrl('http://h/x?PASSWORD=pw&token=t')).toBe('http://h/x?PASSWORD=***&token=***');
  });

  it("hides the credentials of an SRT streamid, in both of MediaMTX's forms", () => {
    expect(redactUrl('srt://h:8890?streamid=read:cam/1:alice:pw42')).toBe('srt://h:8890?streamid=read:cam/1:***');
    expect(redactUrl('srt://h:8890?streamid=%23!%3A%3Ar=cam,m=request,u=alice,s=pw42')).toBe(
      'srt://h:8890?streamid=%23!%3A%3Ar=cam,m=request,u=***,s=***',
    );
    expect(redactUrl('srt://h:8890?streamid=%23!%3A%3Ar%3Dcam%2Cu=alice%2Cs=pw42')).toBe('srt://h:8890?streamid=%23!%3A%3Ar%3Dcam%2Cu=***%2Cs=***');
  });

  it('leaves URLs without credentials and the end of an ffmpeg error line alone', () => {
    expect(redactUrl('srt://127.0.0.1:8890?streamid=read:a/b: Input/output error')).toBe(
      'srt://127.0.0.1:8890?streamid=read:a/b: Input/output error',
    );
    expect(redactUrl('http://host:9997/v3/paths/list')).toBe('http://host:9997/v3/paths/list');
  });
});
