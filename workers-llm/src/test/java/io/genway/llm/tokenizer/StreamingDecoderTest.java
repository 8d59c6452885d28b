package io.genway.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StreamingDecoderTest {
    // a toy vocabulary: control tokens, words, and the byte tokens that 'é' (C3 A9) and '😀' (F0 9F 98 80) need
    private static final String[] TOKENS = {"<unk>", "<s>", "</s>", "▁hi", "<0xC3>", "<0xA9>", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>", "!"};
    private static final TokenType[] TYPES = {TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL, TokenType.NORMAL,
            TokenType.BYTE, TokenType.BYTE, TokenType.BYTE, TokenType.BYTE, TokenType.BYTE, TokenType.BYTE, TokenType.NORMAL};

    private final SentencePieceTokenizer tokenizer = new SentencePieceTokenizer(
            new Vocabulary(TOKENS, new float[TOKENS.length], TYPES, Vocabulary.Specials.sentencePiece(1, 2, 0)));

    @Test
    void holdsTheFirstByteOfATwoByteCharacterUntilTheSecondArrives() {
        StreamingDecoder decoder = new StreamingDecoder(tokenizer);

        assertThat(decoder.accept(3)).isEqualTo(" hi");
        assertThat(decoder.accept(4)).isEmpty();
        assertThat(decoder.accept(5)).isEqualTo("é");
    }

    @Test
    void emitsAFourByteCharacterOnlyWhenWhole() {
        StreamingDecoder decoder = new StreamingDecoder(tokenizer);

        assertThat(decoder.accept(6)).isEmpty();
        assertThat(decoder.accept(7)).isEmpty();
        assertThat(decoder.accept(8)).isEmpty();
        assertThat(decoder.accept(9)).isEqualTo("😀");
    }

    @Test
    void replacesABrokenSequenceInsteadOfHoldingItForever() {
        StreamingDecoder decoder = new StreamingDecoder(tokenizer);

        assertThat(decoder.accept(4)).isEmpty();
        assertThat(decoder.accept(10)).isEqualTo("\uFFFD!");
    }

    @Test
    void flushesAnIncompleteCharacterAsAReplacementAtTheEnd() {
        StreamingDecoder decoder = new StreamingDecoder(tokenizer);

        decoder.accept(6);
        assertThat(decoder.finish()).isEqualTo("\uFFFD");
    }

    @Test
    void emitsNothingForControlTokens() {
        StreamingDecoder decoder = new StreamingDecoder(tokenizer);

        assertThat(decoder.accept(1)).isEmpty();
        assertThat(decoder.accept(2)).isEmpty();
    }
}
