// Vocabulary shared by the Sponsored Products entities (Ads API v3 spelling).

export enum AdState {
  ENABLED = 'ENABLED',
  PAUSED = 'PAUSED',
  ARCHIVED = 'ARCHIVED',
}

export enum TargetingType {
  MANUAL = 'MANUAL',
  AUTO = 'AUTO',
}

export enum KeywordMatchType {
  EXACT = 'EXACT',
  PHRASE = 'PHRASE',
  BROAD = 'BROAD',
}

/** Which entity a daily metrics row measures. */
export enum AdEntityType {
  CAMPAIGN = 'CAMPAIGN',
  AD_GROUP = 'AD_GROUP',
  KEYWORD = 'KEYWORD',
  TARGET = 'TARGET',
  PRODUCT_AD = 'PRODUCT_AD',
}
