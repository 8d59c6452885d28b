package io.genway.diffusion;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * What the synthetic engine takes from a prompt: one shape, its colour and the background's colour, found by
 * looking for words from a short list. It does not understand prompts; it makes output that visibly follows one.
 *
 * <p>A colour word followed by "background" (or preceded by "on", "against") is the background; the first other
 * colour is the shape's. A colour the prompt does not name is drawn from the seed, never one the negative prompt
 * names, so "a circle" comes out in different colours for different seeds, as a model's would.
 *
 * @param foreground the shape's colour, 0xRRGGBB
 * @param background the background's colour, 0xRRGGBB
 */
record PromptScene(Shape shape, int foreground, int background) {

    enum Shape { CIRCLE, SQUARE, TRIANGLE }

    /** Named colours, in the order a seed draws from them. */
    static final Map<String, Integer> COLOURS = colours();

    private static final Map<String, Shape> SHAPES = Map.ofEntries(
            Map.entry("circle", Shape.CIRCLE), Map.entry("circles", Shape.CIRCLE), Map.entry("disc", Shape.CIRCLE),
            Map.entry("disk", Shape.CIRCLE), Map.entry("dot", Shape.CIRCLE), Map.entry("ball", Shape.CIRCLE),
            Map.entry("square", Shape.SQUARE), Map.entry("squares", Shape.SQUARE), Map.entry("box", Shape.SQUARE),
            Map.entry("rectangle", Shape.SQUARE),
            Map.entry("triangle", Shape.TRIANGLE), Map.entry("triangles", Shape.TRIANGLE), Map.entry("pyramid", Shape.TRIANGLE));
    private static final Set<String> BACKGROUND_AFTER = Set.of("background", "backdrop", "bg", "sky");
    private static final Set<String> BACKGROUND_BEFORE = Set.of("on", "against", "over");

    PromptScene {
        Objects.requireNonNull(shape, "shape");
    }

    /** Reads a scene; {@code random} supplies the colours the prompt leaves open (it draws exactly two numbers). */
    static PromptScene read(String prompt, String negativePrompt, SplittableRandom random) {
        List<String> words = words(prompt);
        Shape shape = words.stream().filter(SHAPES::containsKey).map(SHAPES::get).findFirst().orElse(Shape.CIRCLE);
        String foreground = null;
        String background = null;
        String second = null;
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            if (!COLOURS.containsKey(word)) continue;
            if (background == null && namesBackground(words, i)) background = word;
            else if (foreground == null) foreground = word;
            else if (second == null) second = word;
        }
        // With no word marking a background, a second colour is taken as it: "red and blue" is red on blue.
        if (background == null) background = second;
        List<String> allowed = new ArrayList<>(COLOURS.keySet());
        allowed.remove("grey"); // the same colour as gray: it would double gray's chance
        allowed.removeAll(words(negativePrompt));
        String drawnForeground = pick(allowed, random, background);
        String drawnBackground = pick(allowed, random, foreground != null ? foreground : drawnForeground);
        return new PromptScene(shape,
                COLOURS.get(foreground != null ? foreground : drawnForeground),
                COLOURS.get(background != null ? background : drawnBackground));
    }

    private static boolean namesBackground(List<String> words, int i) {
        for (int j = i + 1; j <= i + 2 && j < words.size(); j++) {
            if (BACKGROUND_AFTER.contains(words.get(j))) return true;
            if (SHAPES.containsKey(words.get(j))) return false; // "on a red circle": the circle's colour
        }
        for (int j = i - 1; j >= i - 2 && j >= 0; j--) {
            if (BACKGROUND_BEFORE.contains(words.get(j))) return true;
        }
        return false;
    }

    /**
     * One colour from {@code allowed} other than {@code avoid}. It always takes one number from {@code random}, so
     * what the seed draws next (the composition) does not move when a prompt names or forbids a colour.
     */
    private static String pick(List<String> allowed, SplittableRandom random, String avoid) {
        long draw = random.nextLong();
        List<String> choices = allowed.stream().filter(c -> !c.equals(avoid)).toList();
        if (choices.isEmpty()) return "black".equals(avoid) ? "white" : "black";
        return choices.get((int) Math.floorMod(draw, (long) choices.size()));
    }

    private static List<String> words(String text) {
        if (text == null || text.isBlank()) return List.of();
        return List.of(text.toLowerCase(Locale.ROOT).split("[^a-z]+")).stream().filter(w -> !w.isEmpty()).toList();
    }

    private static Map<String, Integer> colours() {
        Map<String, Integer> c = new LinkedHashMap<>();
        c.put("red", 0xDC1E1E);
        c.put("green", 0x1EA03C);
        c.put("blue", 0x1E3CDC);
        c.put("yellow", 0xF0DC1E);
        c.put("orange", 0xF58C14);
        c.put("purple", 0x8228AA);
        c.put("pink", 0xF596BE);
        c.put("white", 0xF5F5F5);
        c.put("black", 0x0F0F0F);
        c.put("gray", 0x808080);
        c.put("grey", 0x808080);
        c.put("cyan", 0x14C8DC);
        c.put("magenta", 0xDC1EC8);
        c.put("brown", 0x825028);
        return Collections.unmodifiableMap(c);
    }
}
