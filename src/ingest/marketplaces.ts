// Amazon marketplaces the gateway knows by id: country, currency, the sales channel as reports
// spell it, and the file conventions of that marketplace (date order, decimal comma, encoding).
export type DateOrder = 'MDY' | 'DMY' | 'YMD';

export interface KnownMarketplace {
  marketplaceId: string;
  countryCode: string;
  currencyCode: string;
  salesChannel: string;
  dateOrder: DateOrder;
  /** Settlement and other locale-formatted amounts use `95,00`. */
  decimalComma: boolean;
  /** Encoding of Seller Central downloads when the bytes are not valid UTF-8. */
  legacyEncoding: 'cp1252' | 'cp932';
}

const m = (
  marketplaceId: string,
  countryCode: string,
  currencyCode: string,
  salesChannel: string,
  dateOrder: DateOrder,
  decimalComma: boolean,
  legacyEncoding: 'cp1252' | 'cp932' = 'cp1252',
): KnownMarketplace => ({ marketplaceId, countryCode, currencyCode, salesChannel, dateOrder, decimalComma, legacyEncoding });

export const KNOWN_MARKETPLACES: readonly KnownMarketplace[] = [
  m('ATVPDKIKX0DER', 'US', 'USD', 'Amazon.com', 'MDY', false),
  m('A2EUQ1WTGCTBG2', 'CA', 'CAD', 'Amazon.ca', 'MDY', false),
  m('A1AM78C64UM0Y8', 'MX', 'MXN', 'Amazon.com.mx', 'DMY', false),
  m('A2Q3Y263D00KWC', 'BR', 'BRL', 'Amazon.com.br', 'DMY', true),
  m('A1F83G8C2ARO7P', 'GB', 'GBP', 'Amazon.co.uk', 'DMY', false),
  m('A28R8C7NBKEWEA', 'IE', 'EUR', 'Amazon.ie', 'DMY', false),
  m('A1PA6795UKMFR9', 'DE', 'EUR', 'Amazon.de', 'DMY', true),
  m('A13V1IB3VIYZZH', 'FR', 'EUR', 'Amazon.fr', 'DMY', true),
  m('APJ6JRA9NG5V4', 'IT', 'EUR', 'Amazon.it', 'DMY', true),
  m('A1RKKUPIHCS9HS', 'ES', 'EUR', 'Amazon.es', 'DMY', true),
  m('A1805IZSGTT6HS', 'NL', 'EUR', 'Amazon.nl', 'DMY', true),
  m('AMEN7PMS3EDWL', 'BE', 'EUR', 'Amazon.com.be', 'DMY', true),
  m('A2NODRKZP88ZB9', 'SE', 'SEK', 'Amazon.se', 'DMY', true),
  m('A1C3SOZRARQ6R3', 'PL', 'PLN', 'Amazon.pl', 'DMY', true),
  m('A33AVAJ2PDY3EV', 'TR', 'TRY', 'Amazon.com.tr', 'DMY', true),
  m('A2VIGQ35RCS4UG', 'AE', 'AED', 'Amazon.ae', 'DMY', false),
  m('A17E79C6D8DWNP', 'SA', 'SAR', 'Amazon.sa', 'DMY', false),
  m('ARBP9OOSHTCHU', 'EG', 'EGP', 'Amazon.eg', 'DMY', false),
  m('A21TJRUUN4KGV', 'IN', 'INR', 'Amazon.in', 'DMY', false),
  m('A1VC38T7YXB528', 'JP', 'JPY', 'Amazon.co.jp', 'YMD', false, 'cp932'),
  m('A39IBJ37TRP1C6', 'AU', 'AUD', 'Amazon.com.au', 'DMY', false),
  m('A19VAU5U5O7RUS', 'SG', 'SGD', 'Amazon.sg', 'DMY', false),
  m('AE08WJ6YKNBMC', 'ZA', 'ZAR', 'Amazon.co.za', 'DMY', false),
];

const byId = new Map(KNOWN_MARKETPLACES.map((mp) => [mp.marketplaceId, mp]));
const byChannel = new Map(KNOWN_MARKETPLACES.map((mp) => [mp.salesChannel.toLowerCase(), mp]));
const byCountry = new Map(KNOWN_MARKETPLACES.map((mp) => [mp.countryCode, mp]));

export function knownMarketplace(marketplaceId: string | null | undefined): KnownMarketplace | undefined {
  return marketplaceId ? byId.get(marketplaceId) : undefined;
}

/** `Amazon.co.uk` (any case, with or without `www.`) -> the UK marketplace; `Non-Amazon` -> undefined. */
export function marketplaceBySalesChannel(channel: string | null | undefined): KnownMarketplace | undefined {
  if (!channel) return undefined;
  return byChannel.get(channel.trim().toLowerCase().replace(/^www\./, ''));
}

export function marketplaceByCountry(countryCode: string | null | undefined): KnownMarketplace | undefined {
  if (!countryCode) return undefined;
  return byCountry.get(countryCode.trim().toUpperCase() === 'UK' ? 'GB' : countryCode.trim().toUpperCase());
}
