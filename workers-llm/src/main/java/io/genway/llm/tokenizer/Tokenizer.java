package io.genway.llm.tokenizer;

import io.genway.llm.gguf.GgufFormatException;
import io.genway.llm.gguf.GgufMetadata;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Text to token ids and back, as llama.cpp does it for the model's {@code tokenizer.ggml.model}. Implementations
 * are stateless and thread-safe.
 */
public interface Tokenizer {

    /**
     * The ids of {@code text}.
     *
     * @param addSpecial   add BOS first and EOS last where the model asks for them
     *                     ({@code tokenizer.ggml.add_bos_token}, {@code add_eos_token})
     * @param parseSpecial take the texts of control tokens in {@code text} (a rendered chat template's
     *                     {@code <|im_start|>}) as those tokens; user-defined tokens are always taken whole
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /** The ids of plain text: special-token texts in it are tokenized as text. */
    default int[] encode(String text, boolean addSpecial) {
        return encode(text, addSpecial, false);
    }

    /** The bytes token {@code id} stands for; none for control tokens. A piece may end inside a UTF-8 character. */
    byte[] pieceBytes(int id);

    Vocabulary vocabulary();

    /** All of {@code ids} as text; bytes that do not form UTF-8 become U+FFFD. */
    default String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) bytes.writeBytes(pieceBytes(id));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Whether sampling {@code id} ends generation (EOS, or an end-of-turn token such as {@code <|eot_id|>}). */
    default boolean isEndOfGeneration(int id) {
        return vocabulary().isEndOfGeneration(id);
    }

    /**
     * The tokenizer {@code tokenizer.ggml.model} names: {@code llama} (SentencePiece) or {@code gpt2} (byte-level
     * BPE, with the pre-tokenizer {@code tokenizer.ggml.pre} names).
     */
    static Tokenizer from(GgufMetadata metadata) {
        String model = metadata.string("tokenizer.ggml.model");
        return switch (model) {
            case "llama" -> new SentencePieceTokenizer(Vocabulary.from(metadata));
            case "gpt2" -> BpeTokenizer.from(metadata);
            default -> throw new GgufFormatException("tokenizer.ggml.model = " + model + " is not supported (llama: SentencePiece, gpt2: byte-level BPE)");
        };
    }
}
