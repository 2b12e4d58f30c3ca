/** Status recorded for requests whose client left before the response was sent (nginx's 499). */
export const CLIENT_CLOSED_REQUEST = 499
