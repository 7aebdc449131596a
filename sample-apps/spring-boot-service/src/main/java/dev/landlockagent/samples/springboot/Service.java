package dev.landlockagent.samples.springboot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small Spring Boot web service: {@code GET /} greets, {@code GET /notes/{name}} serves a note
 * from the {@code notes} folder its policy allows, and {@code GET /file?path=...} reads any path,
 * the kind of endpoint a bug gives an attacker, which the policy confines to what it allows.
 */
@SpringBootApplication
@RestController
public class Service {
    public static void main(String[] args) {
        SpringApplication.run(Service.class, args);
    }

    /** Says where it serves once it can, the line a script or a test waits for. */
    @EventListener
    public void ready(ApplicationReadyEvent event) {
        System.out.println("serving on http://localhost:" + event.getApplicationContext().getEnvironment()
                .getProperty("local.server.port") + "/");
    }

    @GetMapping("/")
    public String hello() {
        return "hello from spring boot";
    }

    @GetMapping("/notes/{name}")
    public ResponseEntity<String> note(@PathVariable("name") String name) {
        return read(Path.of("notes", name));
    }

    @GetMapping("/file")
    public ResponseEntity<String> file(@RequestParam("path") String path) {
        return read(Path.of(path));
    }

    private static ResponseEntity<String> read(Path path) {
        try {
            return ResponseEntity.ok(Files.readString(path));
        } catch (IOException e) {
            return ResponseEntity.status(HttpStatus.FORBIDDEN).body("forbidden: " + e.getMessage());
        }
    }
}
