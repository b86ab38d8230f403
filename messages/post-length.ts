/**
 * Weighted length of an X (Twitter) post, computed by the official
 * twitter-text package with its version 3 configuration. In that
 * configuration a URL counts 23 and an emoji sequence counts 2. Code points
 * up to U+10FF and a few punctuation ranges count 1, and every other code
 * point counts 2, CJK included.
 */
import twitterText, { type ParseTweetOptions } from 'twitter-text';

export const POST_WEIGHTED_LENGTH_LIMIT = 280;

export interface PostMeasure {
  weightedLength: number;
  limit: typeof POST_WEIGHTED_LENGTH_LIMIT;
  /** `limit - weightedLength`, negative when the post is too long. */
  remaining: number;
  /** False for an empty post, a post over the limit or one with a character X rejects (such as U+FFFE). */
  valid: boolean;
}

const VERSION_3_CONFIG = loadVersion3Config();

/** Measures `text` as X counts it before accepting a post. */
export function measurePost(text: string): PostMeasure {
  const parsed = twitterText.parseTweet(text, VERSION_3_CONFIG);

  return {
    weightedLength: parsed.weightedLength,
    limit: POST_WEIGHTED_LENGTH_LIMIT,
    remaining: POST_WEIGHTED_LENGTH_LIMIT - parsed.weightedLength,
    valid: parsed.valid,
  };
}

// twitter-text exports its configurations as `configs` at run time, but
// @types/twitter-text 3.1 does not declare them, so the shape is checked here.
function loadVersion3Config(): ParseTweetOptions {
  const { configs } = twitterText as unknown as { configs?: { version3?: ParseTweetOptions } };
  const config = configs?.version3;

  if (config === undefined) {
    throw new Error('twitter-text configs.version3 is missing, so install twitter-text 3.x');
  }
  if (config.maxWeightedTweetLength !== POST_WEIGHTED_LENGTH_LIMIT) {
    throw new Error(
      `twitter-text configs.version3.maxWeightedTweetLength is ${String(config.maxWeightedTweetLength)}, ` +
        `expected ${POST_WEIGHTED_LENGTH_LIMIT}`,
    );
  }
  return config;
}
