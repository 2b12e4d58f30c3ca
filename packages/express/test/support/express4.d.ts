// Express 4 is installed as `express4` (npm alias) next to Express 5, without types of its own.
// Its API is the part both majors share, so the tests type it with @types/express 5.
declare module 'express4' {
  import express from 'express'
  export default express
}
