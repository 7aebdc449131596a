package dev.landlockagent.it.apps;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;

import java.nio.charset.StandardCharsets;

/**
 * A real Netty 4.2 server on its native epoll transport, whose JNI code binds and connects
 * itself: it answers every connection on the port given first with "hello from netty", prints
 * {@code READY}, then connects (also natively) to the port given second and prints
 * {@code CONNECT <exception>: <message>} with what the connect threw, or {@code CONNECT ok}.
 */
public final class NettyApp {
    private NettyApp() {
    }

    public static void main(String[] args) throws Exception {
        if (!Epoll.isAvailable()) {
            System.out.println("NO EPOLL " + Epoll.unavailabilityCause());
            System.exit(3);
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        Channel server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.writeAndFlush(Unpooled.copiedBuffer("hello from netty\n", StandardCharsets.UTF_8))
                                .addListener(ChannelFutureListener.CLOSE);
                    }
                })
                .bind("127.0.0.1", Integer.parseInt(args[0])).sync().channel();
        System.out.println("READY");
        try {
            new Bootstrap().group(group).channel(EpollSocketChannel.class).handler(new ChannelInboundHandlerAdapter())
                    .connect("127.0.0.1", Integer.parseInt(args[1])).sync();
            System.out.println("CONNECT ok");
        } catch (Exception e) {
            System.out.println("CONNECT " + e.getClass().getName() + ": " + e.getMessage());
        }
        System.out.flush();
        server.closeFuture().sync();
    }
}
