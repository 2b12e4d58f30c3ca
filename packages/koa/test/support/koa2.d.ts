// Koa 2 is installed next to Koa 3 as the npm alias `koa2`, without types of its own. Its API is
// the part both majors share, so the tests type it with @types/koa (written for Koa 3).
declare module 'koa2' {
  import Koa from 'koa'
  export default Koa
}
