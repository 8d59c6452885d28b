package io.genway.diffusion.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.genway.diffusion.model.ModelConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's byte-level BPE tokenizer, read from a diffusers pipeline's {@code tokenizer/} folder ({@code vocab.json},
 * {@code merges.txt}, and {@code tokenizer_config.json} / {@code special_tokens_map.json} where present), with the
 * behaviour of transformers' {@code CLIPTokenizer}:
 * <ol>
 *   <li>special tokens written literally in the text ({@code <|endoftext|>}, or SD 2's pad token {@code !}) are
 *       matched first and kept whole;</li>
 *   <li>the rest is NFC-normalised, every whitespace run becomes one space, and each character is lowercased on
 *       its own;</li>
 *   <li>it is split into words: contractions, letter runs, single digits, runs of other non-space characters;</li>
 *   <li>each word's UTF-8 bytes map onto GPT-2's printable byte alphabet, its last symbol takes the {@code </w>}
 *       word end, and merges apply lowest rank first; a symbol missing from the vocabulary becomes the unknown
 *       token;</li>
 *   <li>{@link #encode} wraps the ids in BOS and EOS, truncating to {@code model_max_length} (77) first, and pads
 *       on the right with the pad token the files name (SD 1.x: {@code <|endoftext|>}; SD 2.x: {@code !}, id 0).</li>
 * </ol>
 * Immutable and safe to share between threads.
 */
public final class ClipTokenizer {
    public static final String VOCAB_FILE = "vocab.json";
    public static final String MERGES_FILE = "merges.txt";
    public static final String CONFIG_FILE = "tokenizer_config.json";
    public static final String SPECIAL_TOKENS_FILE = "special_tokens_map.json";
    /** The tokenizers library's one-file form, which transformers 5 saves instead of the vocabulary and merges. */
    public static final String TOKENIZER_FILE = "tokenizer.json";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern WORD = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}|[^\\s\\p{L}\\p{N}]+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final String WORD_END = "</w>";
    /** GPT-2's reversible map from a byte to a printable character, so that BPE never sees whitespace or controls. */
    private static final char[] BYTE_CHARS = byteAlphabet();

    private final Map<String, Integer> vocab;
    private final Map<Long, Merge> merges;
    private final int bos;
    private final int eos;
    private final int pad;
    private final int unk;
    private final int maxLength;
    /** Special tokens matched verbatim before normalisation, longest first. */
    private final List<Map.Entry<String, Integer>> specials;

    /** A merge of two symbol ids into {@code result}; lower {@code rank} merges first. */
    private record Merge(int rank, int result) {}

    /**
     * @param vocab     token string to id
     * @param merges    merge pairs, highest priority first, each "left right"
     * @param maxLength {@code model_max_length}: the length {@link #encode} returns, BOS and EOS included
     */
    public ClipTokenizer(Map<String, Integer> vocab, List<String> merges, String bosToken, String eosToken,
                         String padToken, String unkToken, int maxLength) {
        this.vocab = Map.copyOf(vocab);
        if (maxLength < 2) throw new IllegalArgumentException("model_max_length must be >= 2, was " + maxLength);
        this.maxLength = maxLength;
        this.bos = id("bos_token", bosToken);
        this.eos = id("eos_token", eosToken);
        this.pad = id("pad_token", padToken);
        this.unk = id("unk_token", unkToken);
        this.merges = new HashMap<>();
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] pair = merges.get(rank).split(" ");
            if (pair.length != 2) {
                throw new IllegalArgumentException("merge " + (rank + 1) + " must be two symbols, was \""
                        + merges.get(rank) + "\"");
            }
            Integer left = vocab.get(pair[0]);
            Integer right = vocab.get(pair[1]);
            Integer result = vocab.get(pair[0] + pair[1]);
            if (left == null || right == null || result == null) {
                throw new IllegalArgumentException("merge " + (rank + 1) + " \"" + merges.get(rank)
                        + "\" uses or makes a symbol missing from the vocabulary");
            }
            this.merges.putIfAbsent(key(left, right), new Merge(rank, result));
        }
        Map<String, Integer> special = new LinkedHashMap<>();
        for (String token : List.of(bosToken, eosToken, padToken, unkToken)) special.put(token, vocab.get(token));
        List<Map.Entry<String, Integer>> ordered = new ArrayList<>(special.entrySet());
        ordered.sort((a, b) -> b.getKey().length() - a.getKey().length());
        this.specials = List.copyOf(ordered);
    }

    /**
     * Reads a {@code tokenizer/} folder: {@code vocab.json} and {@code merges.txt}, or, without them, the vocabulary
     * and merges inside {@code tokenizer.json}; the special tokens and length from the config files. A missing or
     * malformed file fails naming it.
     */
    public static ClipTokenizer read(Path folder) {
        Map<String, Integer> vocab = new HashMap<>();
        List<String> merges = new ArrayList<>();
        Path vocabFile = folder.resolve(VOCAB_FILE);
        JsonNode vocabJson = json(vocabFile);
        Path oneFile = folder.resolve(TOKENIZER_FILE);
        JsonNode model = vocabJson == null ? json(oneFile) : null;
        if (vocabJson == null && model == null) {
            throw new ModelConfigException(vocabFile, "file is missing (and there is no " + TOKENIZER_FILE + " either)");
        }
        if (vocabJson != null) {
            readVocabulary(vocabJson, vocabFile, vocab);
            readMerges(folder.resolve(MERGES_FILE), merges);
        } else {
            model = model.path("model");
            if (!model.path("type").asText().equals("BPE")) {
                throw new ModelConfigException(oneFile, "model.type must be BPE, was " + model.path("type"));
            }
            if (!model.path("end_of_word_suffix").asText(WORD_END).equals(WORD_END)) {
                throw new ModelConfigException(oneFile, "model.end_of_word_suffix must be " + WORD_END + ", was " + model.path("end_of_word_suffix"));
            }
            readVocabulary(model.path("vocab"), oneFile, vocab);
            for (JsonNode merge : model.path("merges")) {
                // "left right" in older files, ["left", "right"] in newer ones
                merges.add(merge.isArray() ? merge.path(0).asText() + " " + merge.path(1).asText() : merge.asText());
            }
        }
        Path configFile = folder.resolve(CONFIG_FILE);
        Path specialFile = folder.resolve(SPECIAL_TOKENS_FILE);
        JsonNode config = json(configFile);
        JsonNode special = json(specialFile);
        try {
            return new ClipTokenizer(vocab, merges,
                    token(special, config, "bos_token", "<|startoftext|>", configFile),
                    token(special, config, "eos_token", "<|endoftext|>", configFile),
                    token(special, config, "pad_token", "<|endoftext|>", configFile),
                    token(special, config, "unk_token", "<|endoftext|>", configFile),
                    maxLength(config, configFile));
        } catch (IllegalArgumentException e) {
            throw new ModelConfigException(folder, e.getMessage(), e);
        }
    }

    private static void readVocabulary(JsonNode tokens, Path file, Map<String, Integer> vocab) {
        if (!tokens.isObject()) throw new ModelConfigException(file, "the vocabulary must be an object of token to id");
        for (Map.Entry<String, JsonNode> entry : tokens.properties()) {
            if (!entry.getValue().canConvertToInt()) {
                throw new ModelConfigException(file, "token \"" + entry.getKey() + "\" must map to an integer id");
            }
            vocab.put(entry.getKey(), entry.getValue().asInt());
        }
    }

    private static void readMerges(Path mergesFile, List<String> merges) {
        try {
            for (String line : Files.readAllLines(mergesFile, StandardCharsets.UTF_8)) {
                if (line.startsWith("#version") || line.isBlank()) continue;
                merges.add(line.strip());
            }
        } catch (NoSuchFileException e) {
            throw new ModelConfigException(mergesFile, "file is missing", e);
        } catch (IOException e) {
            throw new ModelConfigException(mergesFile, "cannot be read: " + e, e);
        }
    }

    public int bos() {
        return bos;
    }

    public int eos() {
        return eos;
    }

    public int pad() {
        return pad;
    }

    public int maxLength() {
        return maxLength;
    }

    public int vocabSize() {
        return vocab.size();
    }

    /**
     * The prompt as the text encoder takes it: BOS, at most {@code maxLength - 2} token ids, EOS, then pad tokens up
     * to exactly {@link #maxLength()} ids. Longer prompts are cut (diffusers warns and does the same).
     */
    public int[] encode(String text) {
        int[] tokens = tokenize(text);
        int kept = Math.min(tokens.length, maxLength - 2);
        int[] ids = new int[maxLength];
        Arrays.fill(ids, pad);
        ids[0] = bos;
        System.arraycopy(tokens, 0, ids, 1, kept);
        ids[kept + 1] = eos;
        return ids;
    }

    /** The text's token ids without BOS, EOS, truncation or padding. */
    public int[] tokenize(String text) {
        List<Integer> out = new ArrayList<>();
        int start = 0;
        int at = 0;
        while (at < text.length()) {
            Map.Entry<String, Integer> special = specialAt(text, at);
            if (special == null) {
                at++;
                continue;
            }
            tokenizePlain(text.substring(start, at), out);
            out.add(special.getValue());
            at += special.getKey().length();
            start = at;
        }
        tokenizePlain(text.substring(start), out);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private Map.Entry<String, Integer> specialAt(String text, int at) {
        for (Map.Entry<String, Integer> special : specials) {
            if (text.startsWith(special.getKey(), at)) return special;
        }
        return null;
    }

    private void tokenizePlain(String text, List<Integer> out) {
        if (text.isEmpty()) return;
        String normal = Normalizer.normalize(text, Normalizer.Form.NFC);
        normal = lowercase(WHITESPACE.matcher(normal).replaceAll(" "));
        Matcher words = WORD.matcher(normal);
        while (words.find()) bpe(words.group(), out);
    }

    /**
     * Each code point lowercased on its own, with Unicode's full mappings (İ becomes i and a combining dot) but no
     * context: a word-final capital sigma becomes σ, not ς, as in the tokenizers library.
     */
    private static String lowercase(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> out.append(Character.toString(cp).toLowerCase(Locale.ROOT)));
        return out.toString();
    }

    /** Merges one word's byte symbols, the last carrying the word end, lowest-ranked pair first. */
    private void bpe(String word, List<Integer> out) {
        byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
        int[] symbols = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            String symbol = String.valueOf(BYTE_CHARS[bytes[i] & 0xff]);
            if (i == bytes.length - 1) symbol += WORD_END;
            symbols[i] = vocab.getOrDefault(symbol, unk);
        }
        int length = symbols.length;
        while (length > 1) {
            int best = -1;
            Merge bestMerge = null;
            for (int i = 0; i + 1 < length; i++) {
                Merge merge = merges.get(key(symbols[i], symbols[i + 1]));
                if (merge != null && (bestMerge == null || merge.rank() < bestMerge.rank())) {
                    best = i;
                    bestMerge = merge;
                }
            }
            if (bestMerge == null) break;
            symbols[best] = bestMerge.result();
            System.arraycopy(symbols, best + 2, symbols, best + 1, length - best - 2);
            length--;
        }
        for (int i = 0; i < length; i++) out.add(symbols[i]);
    }

    private int id(String key, String token) {
        if (token == null) throw new IllegalArgumentException(key + " must be set");
        Integer id = vocab.get(token);
        if (id == null) throw new IllegalArgumentException(key + " \"" + token + "\" is not in the vocabulary");
        return id;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xffffffffL);
    }

    /** bytes_to_unicode: printable Latin-1 bytes stand for themselves; the rest take code points from 256 up. */
    private static char[] byteAlphabet() {
        char[] chars = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
            chars[b] = printable ? (char) b : (char) next++;
        }
        return chars;
    }

    /**
     * special_tokens_map.json wins over tokenizer_config.json, as transformers merges them; a token may be an
     * object.
     */
    private static String token(JsonNode special, JsonNode config, String key, String fallback, Path configFile) {
        for (JsonNode source : new JsonNode[] {special, config}) {
            if (source == null || !source.has(key) || source.get(key).isNull()) continue;
            JsonNode node = source.get(key);
            if (node.isTextual()) return node.textValue();
            if (node.isObject() && node.path("content").isTextual()) return node.get("content").textValue();
            throw new ModelConfigException(configFile, key + " must be a string or {\"content\": string}, was " + node);
        }
        return fallback;
    }

    private static int maxLength(JsonNode config, Path configFile) {
        if (config == null || !config.has("model_max_length")) return 77;
        JsonNode node = config.get("model_max_length");
        if (!node.canConvertToExactIntegral() || !node.canConvertToInt() || node.asInt() < 2) {
            throw new ModelConfigException(configFile, "model_max_length must be an integer >= 2, was " + node);
        }
        return node.asInt();
    }

    /** The parsed file, or null when it is absent. */
    private static JsonNode json(Path file) {
        try {
            JsonNode node = JSON.readTree(Files.readString(file));
            if (node == null || !node.isObject()) throw new ModelConfigException(file, "file is not a JSON object");
            return node;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new ModelConfigException(file, "is not valid JSON: " + e.getMessage(), e);
        }
    }
}
