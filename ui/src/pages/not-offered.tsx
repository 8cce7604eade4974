// A page whose WS method this gateway does not advertise: says which, instead of an error.
export function NotOffered ({ title, method, what }: { title: string, method: string, what: string }) {
  return (
    <div class='stack'>
      <h1>{title}</h1>
      <p class='banner warn' data-testid='not-offered'>This gateway does not report {what} yet (<code>{method}</code> is not among its methods).</p>
    </div>
  )
}
