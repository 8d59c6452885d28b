package io.genway.diffusion.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A pipeline's {@code model_index.json}: its class ({@code _class_name}) and the components it is built from, each
 * a sub-folder named after it. Components diffusers lists as {@code [null, null]} (a pipeline without a safety
 * checker) are left out; non-component keys such as {@code requires_safety_checker} are ignored.
 */
public record ModelIndex(String pipelineClass, Map<String, Component> components) {

    /**
     * Where diffusers finds a component's class: {@code [library, class]}, e.g. {@code ["diffusers", "UNet2DModel"]}
     * or {@code ["transformers", "CLIPTextModel"]}.
     */
    public record Component(String library, String className) {
        public Component {
            if (library == null || library.isBlank()) throw new IllegalArgumentException("library must not be blank");
            if (className == null || className.isBlank()) {
                throw new IllegalArgumentException("className must not be blank");
            }
        }
    }

    public ModelIndex {
        if (pipelineClass == null || pipelineClass.isBlank()) {
            throw new IllegalArgumentException("_class_name must name the pipeline class");
        }
        components = Map.copyOf(components);
    }

    public Optional<Component> component(String name) {
        return Optional.ofNullable(components.get(name));
    }

    static ModelIndex read(Path file) {
        ConfigJson json = ConfigJson.read(file);
        String pipelineClass = json.string("_class_name", null);
        Map<String, Component> components = new TreeMap<>();
        for (Map.Entry<String, JsonNode> field : json.root().properties()) {
            JsonNode value = field.getValue();
            if (field.getKey().startsWith("_") || !value.isArray()) continue;
            if (value.size() != 2) {
                throw new ModelConfigException(file, field.getKey() + " must be [library, class], was " + value);
            }
            if (value.get(0).isNull() && value.get(1).isNull()) continue;
            if (!value.get(0).isTextual() || !value.get(1).isTextual()) {
                throw new ModelConfigException(file, field.getKey() + " must be [library, class], was " + value);
            }
            components.put(field.getKey(), new Component(value.get(0).textValue(), value.get(1).textValue()));
        }
        return json.build(() -> new ModelIndex(pipelineClass, components));
    }
}
