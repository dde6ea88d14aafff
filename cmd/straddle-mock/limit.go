package main

import (
	"net"
	"sync"
)

// limitListener serves at most a fixed number of connections at a time: once
// that many are open, Accept waits until one of them closes, and new clients
// wait in the kernel's backlog meanwhile. The server's timeouts bound how long
// any connection, idle or trickling, can hold its slot.
type limitListener struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func newLimitListener(l net.Listener, n int) *limitListener {
	return &limitListener{Listener: l, slots: make(chan struct{}, n), done: make(chan struct{})}
}

// Accept waits for a free slot, then for a connection.
func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitConn{Conn: c, l: l}, nil
}

// Close stops the listener and ends an Accept waiting for a slot.
func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// open returns how many connections hold a slot.
func (l *limitListener) open() int { return len(l.slots) }

// limitConn gives its slot back when it is first closed.
type limitConn struct {
	net.Conn
	l        *limitListener
	released sync.Once
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.released.Do(func() { <-c.l.slots })
	return err
}

// CloseWrite half-closes a TCP connection, as net/http does after answering a
// request whose body it did not read, so that the client can still read the
// answer.
func (c *limitConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
