/** commander's accumulator for repeatable options (`--image a --image b`). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
