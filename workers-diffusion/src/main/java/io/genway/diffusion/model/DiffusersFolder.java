package io.genway.diffusion.model;

import io.genway.diffusion.safetensors.Safetensors;
import io.genway.diffusion.safetensors.TensorStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;

/**
 * A pipeline saved by diffusers' {@code save_pretrained}: {@code model_index.json} at the root and one sub-folder
 * per component holding its {@code config.json} (the scheduler's is {@code scheduler_config.json}) and weights.
 * Reading a component checks that the index and the config both name the class asked for, so a UNet2DModel is never
 * read with UNet2DConditionModel's defaults.
 */
public final class DiffusersFolder {
    public static final String INDEX_FILE = "model_index.json";
    public static final String CONFIG_FILE = "config.json";
    /** Weight files in the order diffusers and transformers look for them. */
    static final List<String> WEIGHT_FILES = List.of("diffusion_pytorch_model.safetensors",
            "diffusion_pytorch_model.safetensors.index.json", "model.safetensors", "model.safetensors.index.json");

    private final Path root;
    private final ModelIndex index;

    private DiffusersFolder(Path root, ModelIndex index) {
        this.root = root;
        this.index = index;
    }

    public static DiffusersFolder open(Path root) {
        return new DiffusersFolder(root, ModelIndex.read(root.resolve(INDEX_FILE)));
    }

    public Path root() {
        return root;
    }

    public ModelIndex index() {
        return index;
    }

    public UNet2DConfig unet2D(String component) {
        return UNet2DConfig.read(configOf(component, UNet2DConfig.CLASS_NAME));
    }

    public UNet2DConditionConfig unet2DCondition(String component) {
        return UNet2DConditionConfig.read(configOf(component, UNet2DConditionConfig.CLASS_NAME));
    }

    public AutoencoderKLConfig autoencoderKL(String component) {
        return AutoencoderKLConfig.read(configOf(component, AutoencoderKLConfig.CLASS_NAME));
    }

    public ClipTextConfig clipText(String component) {
        return ClipTextConfig.read(configOf(component, ClipTextConfig.CLASS_NAME));
    }

    /** Any scheduler class is accepted here; {@link SchedulerConfig} maps it onto the ones this engine runs. */
    public SchedulerConfig scheduler(String component) {
        component(component);
        return SchedulerConfig.read(root.resolve(component).resolve(SchedulerConfig.FILE_NAME));
    }

    /** Opens a component's weights: the first of {@link #WEIGHT_FILES} present in its folder. */
    public TensorStore weights(String component) throws IOException {
        component(component);
        Path folder = root.resolve(component);
        for (String name : WEIGHT_FILES) {
            Path file = folder.resolve(name);
            if (Files.isRegularFile(file)) return Safetensors.open(file);
        }
        throw new ModelConfigException(folder, "no safetensors weights (looked for " + WEIGHT_FILES + ")");
    }

    private Path configOf(String component, String className) {
        ModelIndex.Component entry = component(component);
        if (!entry.className().equals(className)) {
            throw new ModelConfigException(root.resolve(INDEX_FILE), component + " class \"" + entry.className()
                    + "\" is not supported here (supported: [" + className + "])");
        }
        return root.resolve(component).resolve(CONFIG_FILE);
    }

    private ModelIndex.Component component(String component) {
        return index.component(component).orElseThrow(() -> new ModelConfigException(root.resolve(INDEX_FILE),
                "component " + component + " is missing (has " + new TreeSet<>(index.components().keySet()) + ")"));
    }
}
