/** Credit that the licence of the country database the collector ships (DB-IP's, CC BY 4.0) asks for. */
export const GEO_ATTRIBUTION = { text: 'IP geolocation by DB-IP', url: 'https://db-ip.com' } as const;
