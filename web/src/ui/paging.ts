// One page of a list, as every list of the app shows it (the API's page_size).
export const PAGE_SIZE = 20;

/** How many pages `count` items make: at least one, so an empty list still shows "page 1 of 1". */
export const pagesOf = (count: number | undefined) => Math.max(1, Math.ceil((count ?? 0) / PAGE_SIZE));
