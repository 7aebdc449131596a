package dev.landlockagent.it.apps;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;

import java.io.IOException;
import java.nio.file.Files;

/**
 * A real embedded Tomcat 11, started the way Spring Boot starts it: its base folder made with
 * {@code Files.createTempDirectory("tomcat.PORT.")}. Prints {@code READY port} once it listens.
 */
public final class TomcatApp {
    private TomcatApp() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("tomcat." + port + ".").toString());
        tomcat.setPort(port);
        tomcat.getConnector();
        Context context = tomcat.addContext("", null);
        Tomcat.addServlet(context, "hello", new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                resp.getWriter().write("hello from tomcat");
            }
        });
        context.addServletMappingDecoded("/", "hello");
        tomcat.start();
        System.out.println("READY " + port);
        System.out.flush();
        tomcat.getServer().await();
    }
}
