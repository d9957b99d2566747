// fflate as the CLI bundle sees it (bin/cliBundle.mjs points the bundle's `fflate` imports here):
// fflate builds its Huffman and length tables as its module runs (~6 ms of CPU at every start),
// and most CLI runs never inflate or deflate with it (Node hosts write PNGs with node:zlib), so
// the module runs at the first call instead. Only what the sources import is here: another name
// fails the bundle's build, which then says so.
let fflate;
const load = () => (fflate ??= require('fflate'));

export const zlibSync = (...args) => load().zlibSync(...args);
export const gunzipSync = (...args) => load().gunzipSync(...args);
export const unzipSync = (...args) => load().unzipSync(...args);
export class Unzlib {
  constructor(...args) {
    return new (load().Unzlib)(...args);
  }
}
