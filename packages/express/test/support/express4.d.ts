// Express 4 is installed twice next to Express 5, as npm aliases without types of their own:
// `express4` (the newest 4.x) and `express4-18` (4.18.2, the lowest supported). Their API is the
// part all majors share, so the tests type them with @types/express 5.
declare module 'express4' {
  import express from 'express'
  export default express
}

declare module 'express4-18' {
  import express from 'express'
  export default express
}
