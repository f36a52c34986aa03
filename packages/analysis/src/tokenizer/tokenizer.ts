/**
 * Tokenizers through @huggingface/tokenizers (pure JS, reads tokenizer.json): GPT-2 byte-level BPE, WordLevel and
 * whatever else tokenizer.json describes. Works in Node and the browser; see load.ts for reading from a folder.
 */
import { Tokenizer } from '@huggingface/tokenizers';

export interface EncodeOptions {
  /** Put this token id first (e.g. GPT-2's <|endoftext|> = 50256, as TransformerLens does by default). */
  bos?: number;
}

export class TextTokenizer {
  private readonly tokenizer: Tokenizer;

  constructor(
    readonly json: Record<string, unknown>,
    config: Record<string, unknown> = {},
  ) {
    this.tokenizer = new Tokenizer(json, config);
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    const encoding = this.tokenizer.encode(text, { add_special_tokens: false });
    // Some models (WordLevel) give no id for out-of-vocabulary words: use the unknown token, or say which word.
    const ids = encoding.ids.map((id: number | undefined, i: number): number => {
      if (id !== undefined && id !== null) return id;
      const unk = (this.json.model as { unk_token?: string } | undefined)?.unk_token;
      const unkId = unk === undefined ? undefined : this.tokenizer.token_to_id(unk);
      if (unkId === undefined) throw new Error(`token "${encoding.tokens[i]}" is not in the vocabulary`);
      return unkId;
    });
    return options.bos === undefined ? ids : [options.bos, ...ids];
  }

  /** Token strings as the vocabulary spells them (GPT-2: "Ġis" for " is"). */
  tokens(text: string): string[] {
    return this.tokenizer.tokenize(text, { add_special_tokens: false });
  }

  /** The text of each token id (GPT-2: " is"), for display. */
  tokenTexts(ids: number[]): string[] {
    return ids.map((id) =>
      this.tokenizer.decode([id], { skip_special_tokens: false, clean_up_tokenization_spaces: false }),
    );
  }

  decode(ids: number[]): string {
    return this.tokenizer.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  tokenToId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.tokenizer.id_to_token(id);
  }
}

/** A GPT-2 byte-level BPE tokenizer.json from vocab.json (encoder.json) and merges.txt (vocab.bpe). */
export function gpt2TokenizerJson(vocab: Record<string, number>, mergesText: string): Record<string, unknown> {
  const merges = mergesText
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#version'))
    .map((line) => line.replace(/\r$/, ''));
  const eos = '<|endoftext|>';
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens:
      vocab[eos] === undefined
        ? []
        : [
            {
              id: vocab[eos],
              content: eos,
              single_word: false,
              lstrip: false,
              rstrip: false,
              normalized: true,
              special: true,
            },
          ],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: byteLevel,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
}
