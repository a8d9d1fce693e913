/**
 * Stands in, in the bundled CLI only (see the `bundle` script in package.json), for modules
 * dockerode and docker-modem load eagerly but oneoff never uses: @grpc/grpc-js and
 * @grpc/proto-loader (BuildKit sessions) and ssh2 (ssh:// engines, which oneoff does not
 * reach through docker-modem). Loading them costs ~100 ms on every run.
 */
const absent: Record<string, never> = {};
export default absent;
