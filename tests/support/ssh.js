// OpenSSH's client running an API's `sshCommand` as a user would paste it (host key not pinned).
import { spawnSync } from 'node:child_process';

/** Runs `command` (`ssh -p PORT TOKEN@HOST`) with `remote` as its command; the spawnSync result. */
export function ssh(command, remote) {
  const [program, ...args] = command.split(' ');
  const options = ['-F', '/dev/null', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR'];
  return spawnSync(program, [...options, ...args, remote], { encoding: 'utf8', timeout: 60_000 });
}
