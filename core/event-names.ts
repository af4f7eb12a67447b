/** Event names the tracker's payload implies; a custom event may not take them. */
export const PAGEVIEW = 'pageview';
export const ENGAGEMENT = 'engagement';
/** Custom events the tracker sends by itself, for clicks on links out and on files. */
export const OUTBOUND = 'Outbound Link';
export const DOWNLOAD = 'File Download';
