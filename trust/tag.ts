/** Annotated tag objects: their headers, tagger time and message. */

export interface TagObject {
  object: string;
  type: string;
  tag: string;
  tagger: string;
  /** Tagger time, seconds since the epoch (0 when absent). */
  time: number;
  message: string;
}

export function parseTag(raw: Buffer): TagObject {
  const text = raw.toString('utf8');
  const split = text.indexOf('\n\n');
  const headerText = split < 0 ? text : text.slice(0, split);
  const headers = new Map<string, string>();
  for (const line of headerText.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0 && !headers.has(line.slice(0, space))) headers.set(line.slice(0, space), line.slice(space + 1));
  }
  const tagger = headers.get('tagger') ?? '';
  const when = /> (\d+) [+-]\d{4}$/.exec(tagger);
  return {
    object: headers.get('object') ?? '',
    type: headers.get('type') ?? '',
    tag: headers.get('tag') ?? '',
    tagger: tagger.replace(/ \d+ [+-]\d{4}$/, ''),
    time: when ? Number(when[1]) : 0,
    message: split < 0 ? '' : text.slice(split + 2),
  };
}
